-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['report_id'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('mes', 'production_reports'), ['report_id']) }}
),

latest as (
    select * from source
    {{ latest_extract(['report_id']) }}
),

final as (
    select
        nullif(trim(report_id), '') as report_id,
        nullif(trim(work_order_id), '') as work_order_id,
        nullif(trim(equipment_id), '') as equipment_id,
        nullif(trim(product_id), '') as product_id,
        start_ts,
        start_ts_utc_offset_min,
        end_ts,
        end_ts_utc_offset_min,
        produced_qty,
        good_qty,
        scrap_qty,
        rework_qty,
        nullif(trim(lot_id), '') as lot_id,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
