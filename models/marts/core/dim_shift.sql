with shifts as (
    select * from {{ ref('stg_mes__shifts') }}
),

final as (
    select
        plant_id,
        shift_code,
        start_time,
        end_time,
        planned_break_min,
        (
            {{ minutes_between_times('start_time', 'end_time') }}
            + case
                when {{ time_of_day('end_time') }} <= {{ time_of_day('start_time') }} then 1440
                else 0
            end
        )::double / 60 as shift_hours
    from shifts
)

select * from final
