-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['shipment_id', 'order_id', 'line_no'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('wms', 'shipments'), ['shipment_id', 'order_id', 'line_no']) }}
),

latest as (
    select * from source
    {{ latest_extract(['shipment_id', 'order_id', 'line_no']) }}
),

final as (
    select
        nullif(trim(shipment_id), '') as shipment_id,
        nullif(trim(order_id), '') as order_id,
        line_no,
        nullif(trim(material_id), '') as material_id,
        shipped_qty,
        shipped_at,
        shipped_at_utc_offset_min,
        nullif(trim(warehouse_id), '') as warehouse_id,
        nullif(trim(lot_id), '') as lot_id,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
