-- Shipment lines in plant-local time (the shipping warehouse's plant).
with shipments as (
    select * from {{ ref('stg_wms__shipments') }}
),

warehouses as (
    select * from {{ ref('int_warehouses_located') }}
),

localized as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.line_no,
        shipments.material_id,
        shipments.warehouse_id,
        warehouses.plant_id,
        coalesce(
            {{ to_plant_local('shipments.shipped_at', 'shipments.shipped_at_utc_offset_min', 'warehouses.timezone') }},
            shipments.shipped_at
        ) as shipped_at,
        shipments.shipped_qty,
        shipments._load_id
    from shipments
    left join warehouses
        on shipments.warehouse_id = warehouses.warehouse_id
),

final as (
    select
        *,
        shipped_at::date as shipped_date
    from localized
)

select * from final
