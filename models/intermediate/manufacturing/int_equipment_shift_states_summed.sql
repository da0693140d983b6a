-- Seconds and state starts per equipment window and state, plus UNKNOWN: the seconds of
-- the window that no state record covers. Σ seconds over states = the window's shift_s.
with windows as (
    select * from {{ ref('int_equipment_shifts_clipped') }}
),

pieces as (
    select * from {{ ref('int_equipment_states_split_by_shift') }}
),

known as (
    select
        equipment_id,
        production_date,
        shift_code,
        state,
        sum(seconds) as seconds,
        count(*) filter (where is_event_start) as events
    from pieces
    group by equipment_id, production_date, shift_code, state
),

covered as (
    select
        equipment_id,
        production_date,
        shift_code,
        sum(seconds) as seconds
    from known
    group by equipment_id, production_date, shift_code
),

unknown as (
    select
        windows.equipment_id,
        windows.production_date,
        windows.shift_code,
        'UNKNOWN' as state,
        windows.shift_s - coalesce(covered.seconds, 0) as seconds,
        0 as events
    from windows
    left join covered
        on windows.equipment_id = covered.equipment_id
        and windows.production_date = covered.production_date
        and windows.shift_code = covered.shift_code
    where windows.shift_s - coalesce(covered.seconds, 0) > 0
),

all_states as (
    select * from known
    union all
    select * from unknown
),

final as (
    select
        windows.plant_id,
        windows.line_id,
        all_states.equipment_id,
        all_states.production_date,
        all_states.shift_code,
        all_states.state,
        all_states.seconds,
        all_states.events::bigint as events
    from all_states
    inner join windows
        on all_states.equipment_id = windows.equipment_id
        and all_states.production_date = windows.production_date
        and all_states.shift_code = windows.shift_code
)

select * from final
