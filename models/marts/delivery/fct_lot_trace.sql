-- Lot → customer traceability, one row per lot and shipment line (KPIS.md "Order journey").
-- Exact (is_exact = 1) where the shipment carries the lot (WMS shipments.lot_id). A shipment
-- without a lot is traced approximately (is_exact = 0) to one lot: the latest lot of the same
-- material received into stock in the shipping plant at or before the shipment (the stock a
-- picker most likely took). A lot the WMS never received keeps its id, with no origin.
with shipments as (
    select * from {{ ref('int_shipments_localized') }}
),

shipment_lots as (
    select shipment_id, order_id, line_no, lot_id
    from {{ ref('stg_wms__shipments') }}
),

lots as (
    select * from {{ ref('int_lots_received') }}
),

order_lines as (
    select order_id, line_no, customer_id
    from {{ ref('stg_erp__sales_order_lines') }}
),

located as (
    select
        shipments.*,
        shipment_lots.lot_id as shipped_lot_id
    from shipments
    left join shipment_lots
        on shipments.shipment_id = shipment_lots.shipment_id
        and shipments.order_id = shipment_lots.order_id
        and shipments.line_no = shipment_lots.line_no
),

exact as (
    select
        located.shipment_id,
        located.order_id,
        located.line_no,
        located.shipped_lot_id as lot_id,
        1 as is_exact
    from located
    where located.shipped_lot_id is not null
),

approximate as (
    select
        located.shipment_id,
        located.order_id,
        located.line_no,
        max_by(lots.lot_id, lots.received_at) as lot_id,
        0 as is_exact
    from located
    inner join lots
        on located.material_id = lots.material_id
        and located.plant_id = lots.plant_id
        and lots.received_at <= located.shipped_at
    where located.shipped_lot_id is null
    group by located.shipment_id, located.order_id, located.line_no
),

traced as (
    select * from exact
    union all
    select * from approximate
),

final as (
    select
        traced.lot_id,
        coalesce(lots.material_id, located.material_id) as material_id,
        lots.work_order_id,
        lots.plant_id as production_plant_id,
        lots.line_id as production_line_id,
        lots.received_date as production_date,
        traced.shipment_id,
        traced.order_id,
        traced.line_no,
        located.plant_id,
        order_lines.customer_id,
        located.shipped_at,
        located.shipped_date,
        located.shipped_qty,
        traced.is_exact
    from traced
    inner join located
        on traced.shipment_id = located.shipment_id
        and traced.order_id = located.order_id
        and traced.line_no = located.line_no
    left join lots
        on traced.lot_id = lots.lot_id
    left join order_lines
        on traced.order_id = order_lines.order_id
        and traced.line_no = order_lines.line_no
)

select * from final
