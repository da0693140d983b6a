-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['order_id', 'line_no'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('erp', 'sales_order_lines'), ['order_id', 'line_no']) }}
),

latest as (
    select * from source
    {{ latest_extract(['order_id', 'line_no']) }}
),

final as (
    select
        nullif(trim(order_id), '') as order_id,
        line_no,
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(material_id), '') as material_id,
        order_qty,
        unit_price,
        upper(nullif(trim(currency), '')) as currency,
        order_date,
        requested_date,
        promised_date,
        upper(nullif(trim(status), '')) as status,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
