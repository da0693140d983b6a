-- Meter readings attributed to the shift in which their interval ends (attribute_to_shift);
-- outside every shift the shift is NULL and the production date is the reading's local
-- date (the date its interval starts on).
with readings as (
    select * from {{ ref('int_meter_readings_localized') }}
),

shift_windows as (
    select * from {{ ref('int_shifts_expanded_by_date') }}
),

attributed as (
    {{ attribute_to_shift('readings', 'shift_windows', 'interval_end') }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        interval_start,
        interval_end,
        coalesce(production_date, reading_date) as production_date,
        shift_code,
        reading_date,
        energy_kwh,
        _load_id
    from attributed
)

select * from final
