-- Every second of an equipment's shift window belongs to exactly one state (UNKNOWN and
-- NOT_SCHEDULED included): Σ state seconds = shift_s per equipment-shift. An incremental
-- build checks the dates it rebuilt (both facts rebuild the same dates).
with states as (
    select equipment_id, production_date, shift_code, sum(seconds) as state_s
    from {{ ref('fct_equipment_shift_states') }}
    where {{ in_test_window() }}
    group by equipment_id, production_date, shift_code
),

shifts as (
    select * from {{ ref('fct_equipment_shifts') }}
    where {{ in_test_window() }}
)

select
    shifts.equipment_id,
    shifts.production_date,
    shifts.shift_code,
    shifts.shift_s,
    states.state_s
from shifts
full outer join states
    on shifts.equipment_id = states.equipment_id
    and shifts.production_date = states.production_date
    and shifts.shift_code = states.shift_code
where abs(coalesce(shifts.shift_s, 0) - coalesce(states.state_s, 0)) > 1e-6
