-- Every shift of every plant on every production date the data spans, as local
-- timestamps. A shift whose end time is not after its start time ends on the next day
-- ("00:00" = midnight) and belongs to the production date on which it starts.
with shifts as (
    select * from {{ ref('stg_mes__shifts') }}
),

data_dates as (
    select min(start_ts)::date as first_date, max(effective_end_ts)::date as last_date
    from {{ ref('int_equipment_states_localized') }}
    union all
    select min(end_ts)::date, max(end_ts)::date
    from {{ ref('int_production_reports_localized') }}
    union all
    select min(reading_date), max(reading_date)
    from {{ ref('int_meter_readings_localized') }}
),

date_span as (
    select min(first_date) - 1 as first_date, max(last_date) + 1 as last_date
    from data_dates
),

production_dates as (
    select (first_date + day_offset::integer)::date as production_date
    from (
        select first_date, {{ day_offsets('first_date', 'last_date') }} as day_offset
        from date_span
        where first_date is not null
    ) as day_offsets
),

windows as (
    select
        shifts.plant_id,
        production_dates.production_date,
        shifts.shift_code,
        production_dates.production_date + {{ time_of_day('shifts.start_time') }} as shift_start,
        production_dates.production_date
        + {{ time_of_day('shifts.end_time') }}
        + case
            when {{ time_of_day('shifts.end_time') }} <= {{ time_of_day('shifts.start_time') }}
                then interval 1 day
            else interval 0 day
        end as shift_end
    from shifts
    cross join production_dates
),

final as (
    select
        *,
        {{ seconds_between('shift_start', 'shift_end') }} as shift_s
    from windows
)

select * from final
