-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['work_order_id'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('mes', 'work_orders'), ['work_order_id']) }}
),

latest as (
    select * from source
    {{ latest_extract(['work_order_id']) }}
),

final as (
    select
        nullif(trim(work_order_id), '') as work_order_id,
        nullif(trim(product_id), '') as product_id,
        nullif(trim(line_id), '') as line_id,
        nullif(trim(sales_order_id), '') as sales_order_id,
        sales_order_line,
        nullif(trim(revision), '') as revision,
        planned_qty,
        planned_start,
        planned_start_utc_offset_min,
        planned_end,
        planned_end_utc_offset_min,
        actual_start,
        actual_start_utc_offset_min,
        actual_end,
        actual_end_utc_offset_min,
        upper(nullif(trim(status), '')) as status,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
