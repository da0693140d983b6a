-- State records cut exactly at the equipment's shift windows: one row per record and
-- window it overlaps. `is_event_start` marks the piece in which the record starts.
with states as (
    select * from {{ ref('int_equipment_states_localized') }}
    where effective_end_ts > start_ts
),

windows as (
    select * from {{ ref('int_equipment_shifts_clipped') }}
),

-- A record can only overlap shifts of the production dates from the day before it starts
-- (a shift crossing midnight) to the day it ends: join on those dates, not on everything.
states_by_day_offset as (
    select
        *,
        {{ day_offsets('start_ts::date - 1', 'effective_end_ts::date') }} as day_offset
    from states
),

states_by_date as (
    select
        *,
        (start_ts::date - 1 + day_offset::integer)::date as production_date
    from states_by_day_offset
),

pieces as (
    select
        windows.plant_id,
        windows.line_id,
        windows.equipment_id,
        windows.production_date,
        windows.shift_code,
        states_by_date.state,
        states_by_date.reason_code,
        states_by_date.reason_text,
        states_by_date.start_ts as state_start_ts,
        greatest(states_by_date.start_ts, windows.window_start) as start_ts,
        least(states_by_date.effective_end_ts, windows.window_end) as end_ts,
        states_by_date.start_ts >= windows.window_start
        and states_by_date.start_ts < windows.window_end as is_event_start
    from states_by_date
    inner join windows
        on states_by_date.equipment_id = windows.equipment_id
        and states_by_date.production_date = windows.production_date
        and states_by_date.start_ts < windows.window_end
        and states_by_date.effective_end_ts > windows.window_start
),

final as (
    select
        *,
        {{ seconds_between('start_ts', 'end_ts') }} as seconds
    from pieces
)

select * from final
