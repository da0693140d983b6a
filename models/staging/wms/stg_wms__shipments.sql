with source as (
    select * from {{ source('wms', 'shipments') }}
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
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
