-- Every stock movement in plant-local time, valued at standard cost (signed like qty:
-- + into stock, − out of it). Issues to production are what raw materials and packaging
-- turn over on (the consumption-based turnover), as shipments are for finished goods.
with movements as (
    select * from {{ ref('int_inventory_movements_localized') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

final as (
    select
        movements.movement_id,
        movements.movement_ts,
        movements.movement_date,
        movements.plant_id,
        movements.warehouse_id,
        movements.material_id,
        materials.material_type,
        materials.product_family,
        movements.movement_type,
        movements.lot_id,
        movements.reference_type,
        movements.reference_id,
        movements.qty,
        movements.qty * materials.standard_cost as movement_value
    from movements
    left join materials
        on movements.material_id = materials.material_id
)

select * from final
