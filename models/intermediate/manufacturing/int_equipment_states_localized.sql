-- Equipment state records in plant-local time, each with the end it effectively has:
-- an open state (no end) ends at the equipment's as-of time (the end of its newest state
-- data), and a record never runs past the start of the next one.
with states as (
    select * from {{ ref('stg_mes__equipment_states') }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

localized as (
    select
        states.equipment_id,
        equipment.plant_id,
        equipment.line_id,
        {{ to_plant_local('states.start_ts', 'states.start_ts_utc_offset_min', 'equipment.timezone') }}
            as start_ts,
        {{ to_plant_local('states.end_ts', 'states.end_ts_utc_offset_min', 'equipment.timezone') }}
            as end_ts,
        states.state,
        states.reason_code,
        states.reason_text,
        states._load_id
    from states
    inner join equipment
        on states.equipment_id = equipment.equipment_id
),

-- `nulls last` spelled out: DuckDB's default, Spark's is nulls first (a time of no zone).
sequenced as (
    select
        *,
        lead(start_ts) over (partition by equipment_id order by start_ts nulls last)
            as next_start_ts,
        lead(_load_id) over (partition by equipment_id order by start_ts nulls last)
            as next_load_id,
        max(_load_id) over (partition by equipment_id) as equipment_max_load_id,
        max(coalesce(end_ts, start_ts)) over (partition by equipment_id) as as_of_ts,
        min(start_ts) over (partition by equipment_id) as first_state_ts
    from localized
),

effective as (
    select
        *,
        least(coalesce(end_ts, as_of_ts), coalesce(next_start_ts, as_of_ts)) as effective_end_ts
    from sequenced
),

final as (
    select
        equipment_id,
        plant_id,
        line_id,
        start_ts,
        end_ts,
        effective_end_ts,
        state,
        reason_code,
        reason_text,
        first_state_ts,
        as_of_ts,
        -- What a change of this record can affect: the production dates from the end of
        -- the record before it (the gap between them is UNKNOWN time) to its own end...
        coalesce(
            lag(effective_end_ts) over (partition by equipment_id order by start_ts nulls last),
            start_ts
        )::date - 1 as touched_from_date,
        effective_end_ts::date as touched_to_date,
        -- ...and the newest load its effective end depends on (the next record; for an
        -- open record, the equipment's newest data, which sets the as-of).
        greatest(
            _load_id,
            coalesce(next_load_id, _load_id),
            case when end_ts is null then equipment_max_load_id else _load_id end
        ) as touched_load_id,
        _load_id
    from effective
)

select * from final
