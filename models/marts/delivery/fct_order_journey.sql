-- The order journey, one row per sales order line (KPIS.md "Order journey"): the work orders
-- made for it (see `linked` below; planned and actual start and end, plant-local), their
-- good production and the lots received from them, the shipments, and the first step that
-- was late against its plan:
-- production_start (first actual start after the first planned start), production_end (last
-- actual end after the last planned end), shipment (shipped in full after the promised date,
-- or still open past it). A step not yet done is late once its plan lies before the as-of
-- date's end; NULL when no step is late (and on cancelled lines). Cancelled work orders are
-- not part of the journey.
with order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

all_work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
    where status <> 'CANCELLED'
),

reports as (
    select * from {{ ref('int_production_reports_attributed') }}
),

lots as (
    select * from {{ ref('int_lots_received') }}
),

shipments as (
    select * from {{ ref('int_shipments_localized') }}
),

shipment_lots as (
    select order_id, line_no, lot_id
    from {{ ref('stg_wms__shipments') }}
    where lot_id is not null
),

order_good as (
    select work_order_id, sum(good_qty) as good_qty
    from reports
    group by work_order_id
),

order_lots as (
    select work_order_id, lot_id
    from lots
    where work_order_id is not null
),

-- The work orders made for a line: those naming it (make to order); for a line no order
-- names (make to stock), those whose lots its shipments carry (exact lot trace).
named as (
    select
        sales_order_id as order_id,
        sales_order_line as line_no,
        work_order_id
    from all_work_orders
    where sales_order_id is not null
),

shipped_lots as (
    select distinct
        shipment_lots.order_id,
        shipment_lots.line_no,
        order_lots.work_order_id
    from shipment_lots
    inner join order_lots
        on shipment_lots.lot_id = order_lots.lot_id
    where not exists (
        select 1 from named
        where named.order_id = shipment_lots.order_id
            and named.line_no = shipment_lots.line_no
    )
),

linked as (
    select order_id, line_no, work_order_id, 'SALES_ORDER' as work_order_source from named
    union all
    select order_id, line_no, work_order_id, 'SHIPPED_LOT' as work_order_source from shipped_lots
),

work_orders as (
    select
        linked.order_id,
        linked.line_no,
        linked.work_order_source,
        all_work_orders.*
    from linked
    inner join all_work_orders
        on linked.work_order_id = all_work_orders.work_order_id
),

made_for as (
    select
        work_orders.order_id,
        work_orders.line_no,
        min(work_orders.work_order_source) as work_order_source,
        count(*) as work_orders,
        min(work_orders.planned_start) as first_planned_start,
        max(work_orders.planned_end) as last_planned_end,
        min(work_orders.actual_start) as first_actual_start,
        max(work_orders.actual_end) as last_actual_end,
        -- every order finished: else the production_end step is still open
        count(work_orders.actual_end) = count(*) as all_finished,
        coalesce(sum(order_good.good_qty), 0) as produced_good_qty
    from work_orders
    left join order_good
        on work_orders.work_order_id = order_good.work_order_id
    group by work_orders.order_id, work_orders.line_no
),

lots_for as (
    select
        work_orders.order_id,
        work_orders.line_no,
        count(distinct order_lots.lot_id) as lots
    from work_orders
    inner join order_lots
        on work_orders.work_order_id = order_lots.work_order_id
    group by work_orders.order_id, work_orders.line_no
),

shipped as (
    select
        order_id,
        line_no,
        min(shipped_at) as first_shipped_at,
        max(shipped_at) as last_shipped_at
    from shipments
    group by order_id, line_no
),

joined as (
    select
        order_lines.order_id,
        order_lines.line_no,
        order_lines.plant_id,
        order_lines.customer_id,
        order_lines.material_id,
        order_lines.order_date,
        order_lines.promised_date,
        order_lines.order_qty,
        order_lines.status,
        order_lines.as_of_date,
        made_for.work_order_source,
        coalesce(made_for.work_orders, 0) as work_orders,
        made_for.first_planned_start,
        made_for.last_planned_end,
        made_for.first_actual_start,
        made_for.last_actual_end,
        made_for.all_finished,
        coalesce(made_for.produced_good_qty, 0) as produced_good_qty,
        coalesce(lots_for.lots, 0) as lots,
        order_lines.shipped_qty,
        shipped.first_shipped_at,
        shipped.last_shipped_at,
        order_lines.completed_date,
        order_lines.is_late_open,
        cast(order_lines.as_of_date + 1 as timestamp) as as_of_end
    from order_lines
    left join made_for
        on order_lines.order_id = made_for.order_id
        and order_lines.line_no = made_for.line_no
    left join lots_for
        on order_lines.order_id = lots_for.order_id
        and order_lines.line_no = lots_for.line_no
    left join shipped
        on order_lines.order_id = shipped.order_id
        and order_lines.line_no = shipped.line_no
),

steps as (
    select
        *,
        coalesce(
            first_actual_start > first_planned_start
            or (first_actual_start is null and first_planned_start < as_of_end),
            false
        ) as is_start_late,
        coalesce(
            (all_finished and last_actual_end > last_planned_end)
            or (not all_finished and last_planned_end < as_of_end),
            false
        ) as is_end_late,
        coalesce(completed_date > promised_date, false) or is_late_open = 1 as is_shipment_late
    from joined
),

final as (
    select
        order_id,
        line_no,
        plant_id,
        customer_id,
        material_id,
        order_date,
        promised_date,
        order_qty,
        status,
        work_order_source,
        work_orders,
        first_planned_start,
        last_planned_end,
        first_actual_start,
        last_actual_end,
        produced_good_qty,
        lots,
        shipped_qty,
        first_shipped_at,
        last_shipped_at,
        case
            when status = 'CANCELLED' then null
            when is_start_late then 'production_start'
            when is_end_late then 'production_end'
            when is_shipment_late then 'shipment'
        end as first_late_step
    from steps
)

select * from final
