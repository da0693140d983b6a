-- Warehouses with their plant's IANA time zone (to read WMS times as plant-local).
with warehouses as (
    select * from {{ ref('stg_wms__warehouses') }}
),

plants as (
    select * from {{ ref('stg_mes__plants') }}
),

final as (
    select
        warehouses.warehouse_id,
        warehouses.plant_id,
        plants.timezone
    from warehouses
    left join plants
        on warehouses.plant_id = plants.plant_id
)

select * from final
