-- Meter readings attributed to the shift in which their interval starts
-- (shift_start <= interval_start < shift_end); outside every shift the shift is NULL and
-- the production date is the reading's local date.
with readings as (
    select * from {{ ref('int_meter_readings_localized') }}
),

-- A reading can only fall in a shift of its own date or of the day before (a shift
-- crossing midnight): equi-join on those two candidate dates.
candidates as (
    select
        *,
        unnest([reading_date - 1, reading_date]) as candidate_date
    from readings
),

shift_windows as (
    select * from {{ ref('int_shift_windows') }}
),

in_shift as (
    select
        candidates.equipment_id,
        candidates.interval_start,
        shift_windows.production_date,
        shift_windows.shift_code
    from candidates
    inner join shift_windows
        on candidates.plant_id = shift_windows.plant_id
        and candidates.candidate_date = shift_windows.production_date
        and candidates.interval_start >= shift_windows.shift_start
        and candidates.interval_start < shift_windows.shift_end
),

final as (
    select
        readings.plant_id,
        readings.line_id,
        readings.equipment_id,
        readings.interval_start,
        coalesce(in_shift.production_date, readings.reading_date) as production_date,
        in_shift.shift_code,
        readings.reading_date,
        readings.energy_kwh,
        readings._load_id
    from readings
    left join in_shift
        on readings.equipment_id = in_shift.equipment_id
        and readings.interval_start = in_shift.interval_start
)

select * from final
