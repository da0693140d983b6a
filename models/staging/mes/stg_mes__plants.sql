with source as (
    select * from {{ source('mes', 'plants') }}
),

latest as (
    select * from source
    {{ latest_extract(['plant_id']) }}
),

final as (
    select
        nullif(trim(plant_id), '') as plant_id,
        nullif(trim(plant_name), '') as plant_name,
        nullif(trim(timezone), '') as timezone,
        nullif(trim(country), '') as country,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
