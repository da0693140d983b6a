-- Work orders in plant-local time, with the plant of their line.
with work_orders as (
    select * from {{ ref('stg_mes__work_orders') }}
),

lines as (
    select
        line_id,
        any_value(plant_id) as plant_id,
        any_value(timezone) as timezone
    from {{ ref('int_equipment_located') }}
    group by line_id
),

final as (
    select
        work_orders.work_order_id,
        lines.plant_id,
        work_orders.line_id,
        work_orders.product_id,
        work_orders.sales_order_id,
        work_orders.sales_order_line,
        work_orders.planned_qty,
        coalesce(
            {{ to_plant_local('work_orders.planned_start', 'work_orders.planned_start_utc_offset_min', 'lines.timezone') }},
            work_orders.planned_start
        ) as planned_start,
        coalesce(
            {{ to_plant_local('work_orders.planned_end', 'work_orders.planned_end_utc_offset_min', 'lines.timezone') }},
            work_orders.planned_end
        ) as planned_end,
        coalesce(
            {{ to_plant_local('work_orders.actual_start', 'work_orders.actual_start_utc_offset_min', 'lines.timezone') }},
            work_orders.actual_start
        ) as actual_start,
        coalesce(
            {{ to_plant_local('work_orders.actual_end', 'work_orders.actual_end_utc_offset_min', 'lines.timezone') }},
            work_orders.actual_end
        ) as actual_end,
        work_orders.status
    from work_orders
    left join lines
        on work_orders.line_id = lines.line_id
)

select * from final
