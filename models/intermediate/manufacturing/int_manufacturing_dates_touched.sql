-- Per production date, the newest raw load that can change its manufacturing facts: state
-- records (over the dates they and the gap before them touch), production reports (the
-- shift dates they can end in), and master data (plants, equipment, shifts, routings,
-- materials), which touches every date. Incremental facts rebuild the dates whose load is
-- newer than the one they reflect.
with states as (
    select * from {{ ref('int_equipment_states_localized') }}
),

reports as (
    select * from {{ ref('int_production_reports_localized') }}
),

watermarks as (
    select * from {{ ref('int_load_watermarks_computed') }}
),

state_day_offsets as (
    select
        touched_from_date,
        {{ day_offsets('touched_from_date', 'touched_to_date') }} as day_offset,
        touched_load_id as load_id
    from states
),

state_dates as (
    select
        (touched_from_date + day_offset::integer)::date as production_date,
        load_id
    from state_day_offsets
),

report_dates as (
    select end_ts::date - 1 as production_date, _load_id as load_id
    from reports
    union all
    select end_ts::date as production_date, _load_id as load_id
    from reports
),

all_dates as (
    select * from state_dates
    union all
    select * from report_dates
),

final as (
    select
        all_dates.production_date,
        greatest(max(all_dates.load_id), any_value(watermarks.manufacturing_master_load_id))
            as _load_id
    from all_dates
    cross join watermarks
    group by all_dates.production_date
)

select * from final
