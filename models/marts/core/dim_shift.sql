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
            date_diff('minute', start_time::time, end_time::time)
            + case when end_time::time <= start_time::time then 1440 else 0 end
        ) / 60.0 as shift_hours
    from shifts
)

select * from final
