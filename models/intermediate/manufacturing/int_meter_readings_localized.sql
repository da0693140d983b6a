-- SCADA meter readings in plant-local time (SCADA usually writes UTC).
with readings as (
    select * from {{ ref('stg_scada__meter_readings') }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

localized as (
    select
        readings.equipment_id,
        equipment.plant_id,
        equipment.line_id,
        {{ to_plant_local(
            'readings.interval_start', 'readings.interval_start_utc_offset_min', 'equipment.timezone'
        ) }} as interval_start,
        readings.interval_minutes,
        readings.energy_kwh,
        readings._load_id
    from readings
    inner join equipment
        on readings.equipment_id = equipment.equipment_id
),

final as (
    select
        *,
        interval_start + interval_minutes * interval '1 minute' as interval_end,
        cast(interval_start as date) as reading_date
    from localized
)

select * from final
