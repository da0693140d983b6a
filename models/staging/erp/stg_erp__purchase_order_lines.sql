-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['po_id', 'line_no'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('erp', 'purchase_order_lines'), ['po_id', 'line_no']) }}
),

latest as (
    select * from source
    {{ latest_extract(['po_id', 'line_no']) }}
),

final as (
    select
        nullif(trim(po_id), '') as po_id,
        line_no,
        nullif(trim(supplier_id), '') as supplier_id,
        nullif(trim(material_id), '') as material_id,
        order_qty,
        unit_price,
        upper(nullif(trim(currency), '')) as currency,
        order_date,
        promised_date,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
