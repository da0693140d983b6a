-- Planned operations in plant-local time (the plant of their line), with the product of
-- their work order (the APS plans orders by id; the MES extract names the product) and
-- their planned start and end as plant-local epoch seconds.
with operations as (
    select * from {{ ref('stg_aps__planned_operations') }}
),

versions as (
    select * from {{ ref('stg_aps__schedule_versions') }}
),

lines as (
    select
        line_id,
        any_value(plant_id) as plant_id,
        any_value(timezone) as timezone
    from {{ ref('int_equipment_located') }}
    group by line_id
),

work_orders as (
    select * from {{ ref('stg_mes__work_orders') }}
),

localized as (
    select
        operations.plan_version,
        coalesce(versions.plant_id, lines.plant_id) as plant_id,
        operations.line_id,
        operations.equipment_id,
        operations.work_order_id,
        operations.operation_no,
        work_orders.product_id,
        {{ to_plant_local('operations.planned_start', 'operations.planned_start_utc_offset_min', 'lines.timezone') }}
            as planned_start,
        {{ to_plant_local('operations.planned_end', 'operations.planned_end_utc_offset_min', 'lines.timezone') }}
            as planned_end,
        operations.planned_qty
    from operations
    left join versions
        on operations.plan_version = versions.plan_version
    left join lines
        on operations.line_id = lines.line_id
    left join work_orders
        on operations.work_order_id = work_orders.work_order_id
),

final as (
    select
        *,
        {{ epoch_seconds('planned_start') }} as planned_start_s,
        {{ epoch_seconds('planned_end') }} as planned_end_s
    from localized
)

select * from final
