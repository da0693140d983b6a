with source as (
    select * from {{ source('mes', 'equipment') }}
),

latest as (
    select * from source
    {{ latest_extract(['equipment_id']) }}
),

final as (
    select
        nullif(trim(equipment_id), '') as equipment_id,
        nullif(trim(equipment_name), '') as equipment_name,
        nullif(trim(line_id), '') as line_id,
        nullif(trim(line_name), '') as line_name,
        nullif(trim(area), '') as area,
        nullif(trim(plant_id), '') as plant_id,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
