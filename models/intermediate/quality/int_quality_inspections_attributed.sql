-- Quality inspections in plant-local time, attributed to the equipment's line and plant
-- (or the work order's line) and to the shift in which they were made.
with inspections as (
    select * from {{ ref('stg_mes__quality_inspections') }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

work_orders as (
    select * from {{ ref('int_work_orders_localized') }}
),

lines as (
    select
        line_id,
        any_value(plant_id) as plant_id,
        any_value(timezone) as timezone
    from equipment
    group by line_id
),

shift_windows as (
    select * from {{ ref('int_shift_windows') }}
),

located as (
    select
        inspections.*,
        coalesce(equipment.line_id, work_orders.line_id) as located_line_id,
        coalesce(equipment.plant_id, lines.plant_id) as located_plant_id,
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

-- An inspection can only fall in a shift of its date or of the day before: equi-join on
-- those two candidate dates.
candidates as (
    select
        inspection_id,
        located_plant_id,
        inspected_at_local,
        unnest([inspected_at_local::date - 1, inspected_at_local::date]) as candidate_date
    from localized
),

in_shift as (
    select
        candidates.inspection_id,
        shift_windows.production_date,
        shift_windows.shift_code
    from candidates
    inner join shift_windows
        on candidates.located_plant_id = shift_windows.plant_id
        and candidates.candidate_date = shift_windows.production_date
        and candidates.inspected_at_local >= shift_windows.shift_start
        and candidates.inspected_at_local < shift_windows.shift_end
),

final as (
    select
        localized.inspection_id,
        localized.inspected_at_local as inspected_at,
        localized.inspected_at_local::date as inspected_date,
        localized.located_plant_id as plant_id,
        localized.located_line_id as line_id,
        localized.equipment_id,
        in_shift.shift_code,
        in_shift.production_date,
        localized.product_id,
        localized.lot_id,
        localized.work_order_id,
        localized.characteristic,
        localized.measured_value,
        localized.lsl,
        localized.usl,
        localized.result,
        localized.defect_code,
        localized.defect_qty
    from localized
    left join in_shift
        on localized.inspection_id = in_shift.inspection_id
)

select * from final
