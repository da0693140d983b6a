with source as (
    select * from {{ source('mes', 'shifts') }}
),

latest as (
    select * from source
    {{ latest_extract(['plant_id', 'shift_code']) }}
),

final as (
    select
        nullif(trim(plant_id), '') as plant_id,
        nullif(trim(shift_code), '') as shift_code,
        start_time,
        end_time,
        planned_break_min,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
