-- The plant that fulfils each sales order line (KPIS.md "Order lines belong to a plant"):
--   1. the plant of the warehouse of the line's first shipment (by shipment time, then
--      shipment id; shipments from a warehouse of no known plant are skipped);
--   2. else the plant of the line of the first work order made for it (work_orders
--      sales_order_id / sales_order_line; by planned start, then work order id; CANCELLED
--      work orders made nothing and are skipped);
--   3. else none: the line is unassigned (plant_id NULL, plant_source NULL).
with order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

shipments as (
    select * from {{ ref('int_shipments_localized') }}
),

work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
),

shipping_plants as (
    select
        order_id,
        line_no,
        plant_id
    from shipments
    where plant_id is not null
    qualify row_number() over (
        partition by order_id, line_no
        order by shipped_at, shipment_id
    ) = 1
),

making_plants as (
    select
        sales_order_id as order_id,
        sales_order_line as line_no,
        plant_id
    from work_orders
    where sales_order_id is not null
        and sales_order_line is not null
        and plant_id is not null
        and status <> 'CANCELLED'
    qualify row_number() over (
        partition by sales_order_id, sales_order_line
        order by planned_start, work_order_id
    ) = 1
),

final as (
    select
        order_lines.order_id,
        order_lines.line_no,
        coalesce(shipping_plants.plant_id, making_plants.plant_id) as plant_id,
        case
            when shipping_plants.plant_id is not null then 'SHIPMENT'
            when making_plants.plant_id is not null then 'WORK_ORDER'
        end as plant_source
    from order_lines
    left join shipping_plants
        on order_lines.order_id = shipping_plants.order_id
        and order_lines.line_no = shipping_plants.line_no
    left join making_plants
        on order_lines.order_id = making_plants.order_id
        and order_lines.line_no = making_plants.line_no
)

select * from final
