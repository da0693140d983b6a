-- Planned operation windows per equipment: each shift of the equipment's plant, clipped to
-- the span the equipment's state data covers (first state record to as-of).
with coverage as (
    select * from {{ ref('int_equipment_states_spanned') }}
),

shift_windows as (
    select * from {{ ref('int_shifts_expanded_by_date') }}
),

clipped as (
    select
        coverage.plant_id,
        coverage.line_id,
        coverage.equipment_id,
        shift_windows.production_date,
        shift_windows.shift_code,
        shift_windows.shift_start,
        shift_windows.shift_end,
        greatest(shift_windows.shift_start, coverage.first_state_ts) as window_start,
        least(shift_windows.shift_end, coverage.as_of_ts) as window_end
    from coverage
    inner join shift_windows
        on coverage.plant_id = shift_windows.plant_id
        and shift_windows.shift_end > coverage.first_state_ts
        and shift_windows.shift_start < coverage.as_of_ts
),

final as (
    select
        *,
        {{ seconds_between('window_start', 'window_end') }} as shift_s
    from clipped
    where window_end > window_start
)

select * from final
