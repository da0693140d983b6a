-- Quality inspections in plant-local time, attributed to the equipment's line and plant
-- (or the work order's line) and to the shift in which they were made (attribute_to_shift:
-- an inspection ends at the moment it is made).
with inspections as (
    select * from {{ ref('stg_mes__quality_inspections') }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
),

shift_windows as (
    select * from {{ ref('int_shifts_expanded_by_date') }}
),

lines as (
    select
        line_id,
        any_value(plant_id) as plant_id,
        any_value(timezone) as timezone
    from equipment
    group by line_id
),

located as (
    select
        inspections.*,
        coalesce(equipment.line_id, work_orders.line_id) as line_id,
        coalesce(equipment.plant_id, lines.plant_id) as plant_id,
        coalesce(equipment.timezone, lines.timezone) as timezone
    from inspections
    left join equipment
        on inspections.equipment_id = equipment.equipment_id
    left join work_orders
        on inspections.work_order_id = work_orders.work_order_id
    left join lines
        on work_orders.line_id = lines.line_id
),

localized as (
    select
        *,
        coalesce(
            {{ to_plant_local('inspected_at', 'inspected_at_utc_offset_min', 'timezone') }},
            inspected_at
        ) as inspected_at_local
    from located
),

attributed as (
    {{ attribute_to_shift('localized', 'shift_windows', 'inspected_at_local') }}
),

final as (
    select
        inspection_id,
        inspected_at_local as inspected_at,
        cast(inspected_at_local as date) as inspected_date,
        plant_id,
        line_id,
        equipment_id,
        shift_code,
        production_date,
        product_id,
        lot_id,
        work_order_id,
        characteristic,
        measured_value,
        lsl,
        usl,
        result,
        defect_code,
        defect_qty
    from attributed
)

select * from final
