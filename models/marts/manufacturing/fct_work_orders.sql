with work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

final as (
    select
        work_orders.work_order_id,
        work_orders.plant_id,
        work_orders.line_id,
        work_orders.product_id,
        materials.product_family,
        work_orders.sales_order_id,
        work_orders.sales_order_line,
        work_orders.planned_qty,
        work_orders.planned_start,
        work_orders.planned_end,
        work_orders.planned_end::date as planned_end_date,
        work_orders.actual_start,
        work_orders.actual_end,
        work_orders.status,
        (work_orders.status = 'COMPLETED')::int as is_completed,
        (
            work_orders.status = 'COMPLETED'
            and work_orders.actual_end is not null
            and work_orders.actual_end <= work_orders.planned_end
        )::int as is_on_schedule
    from work_orders
    left join materials
        on work_orders.product_id = materials.material_id
)

select * from final
