-- Per sales order line: shipments cumulated in time order, giving the first shipment
-- date, the quantity shipped in total and by the end of the promised date, and the date
-- of the shipment that completed the line (cumulative quantity reaching order_qty).
with order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

shipments as (
    select * from {{ ref('int_shipments_localized') }}
),

cumulated as (
    select
        shipments.order_id,
        shipments.line_no,
        shipments.shipped_date,
        shipments.shipped_qty,
        order_lines.order_qty,
        order_lines.promised_date,
        sum(shipments.shipped_qty) over (
            partition by shipments.order_id, shipments.line_no
            order by shipments.shipped_at, shipments.shipment_id
            rows between unbounded preceding and current row
        ) as cumulative_qty
    from shipments
    inner join order_lines
        on shipments.order_id = order_lines.order_id
        and shipments.line_no = order_lines.line_no
),

final as (
    select
        order_id,
        line_no,
        min(shipped_date) as first_shipped_date,
        sum(shipped_qty) as shipped_qty,
        coalesce(sum(shipped_qty) filter (where shipped_date <= promised_date), 0)
            as shipped_qty_by_promise,
        min(shipped_date) filter (where cumulative_qty >= order_qty) as completed_date
    from cumulated
    group by order_id, line_no
)

select * from final
