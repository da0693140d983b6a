-- One row per sales order line with its delivery status as of the newest data, and the
-- plant that fulfils it (int_order_lines_located: first shipment's warehouse, else the
-- work orders made for it, else unassigned).
with order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

located as (
    select * from {{ ref('int_order_lines_located') }}
),

shipped as (
    select * from {{ ref('int_order_line_shipments_cumulated') }}
),

customers as (
    select * from {{ ref('stg_erp__customers') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_computed') }}
),

joined as (
    select
        order_lines.order_id,
        order_lines.line_no,
        located.plant_id,
        located.plant_source,
        order_lines.customer_id,
        customers.region,
        customers.segment,
        order_lines.material_id,
        materials.product_family,
        order_lines.order_qty,
        order_lines.order_date,
        order_lines.requested_date,
        order_lines.promised_date,
        order_lines.status,
        as_of.as_of_date,
        (
            order_lines.status <> 'CANCELLED'
            and order_lines.promised_date <= as_of.as_of_date
        ) as due,
        shipped.first_shipped_date,
        coalesce(shipped.shipped_qty, 0) as shipped_qty,
        coalesce(shipped.shipped_qty_by_promise, 0) as shipped_qty_by_promise,
        shipped.completed_date
    from order_lines
    cross join as_of
    left join located
        on order_lines.order_id = located.order_id
        and order_lines.line_no = located.line_no
    left join shipped
        on order_lines.order_id = shipped.order_id
        and order_lines.line_no = shipped.line_no
    left join customers
        on order_lines.customer_id = customers.customer_id
    left join materials
        on order_lines.material_id = materials.material_id
),

with_open as (
    select
        *,
        case
            when status in ('CANCELLED', 'CLOSED') then 0
            else greatest(order_qty - shipped_qty, 0)
        end as open_qty
    from joined
),

final as (
    select
        order_id,
        line_no,
        plant_id,
        plant_source,
        customer_id,
        region,
        segment,
        material_id,
        product_family,
        order_qty,
        order_date,
        requested_date,
        promised_date,
        status,
        as_of_date,
        due::int as is_due,
        first_shipped_date,
        shipped_qty,
        shipped_qty_by_promise,
        case
            when due then coalesce(first_shipped_date <= promised_date, false)::int
        end as is_on_time,
        case when due then (shipped_qty_by_promise >= order_qty)::int end as is_in_full,
        completed_date,
        {{ dbt.datediff('order_date', 'completed_date', 'day') }} as lead_time_days,
        (completed_date is not null)::int as is_completed,
        open_qty,
        (status <> 'CANCELLED' and promised_date < as_of_date and open_qty > 0)::int
            as is_late_open,
        (
            status <> 'CANCELLED'
            and promised_date >= as_of_date
            and promised_date <= as_of_date + 3
            and open_qty > 0
        )::int as is_at_risk
    from with_open
)

select * from final
