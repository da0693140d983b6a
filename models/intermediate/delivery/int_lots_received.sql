-- Lots produced: one row per lot received into stock from a work order (WMS
-- PRODUCTION_RECEIPT movements with a lot), with the order's plant and line and the
-- plant-local time and date of its first receipt.
with movements as (
    select * from {{ ref('int_inventory_movements_localized') }}
    where movement_type = 'PRODUCTION_RECEIPT'
        and lot_id is not null
),

work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
),

lots as (
    select
        lot_id,
        min_by(material_id, movement_ts) as material_id,
        min_by(case when reference_type = 'WO' then reference_id end, movement_ts)
            as work_order_id,
        min_by(plant_id, movement_ts) as receipt_plant_id,
        min(movement_ts) as received_at,
        sum(qty) as received_qty
    from movements
    group by lot_id
),

final as (
    select
        lots.lot_id,
        lots.material_id,
        lots.work_order_id,
        coalesce(work_orders.plant_id, lots.receipt_plant_id) as plant_id,
        work_orders.line_id,
        lots.received_at,
        cast(lots.received_at as date) as received_date,
        lots.received_qty
    from lots
    left join work_orders
        on lots.work_order_id = work_orders.work_order_id
)

select * from final
