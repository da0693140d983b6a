with source as (
    select * from {{ source('wms', 'warehouses') }}
),

latest as (
    select * from source
    {{ latest_extract(['warehouse_id']) }}
),

final as (
    select
        nullif(trim(warehouse_id), '') as warehouse_id,
        nullif(trim(plant_id), '') as plant_id,
        nullif(trim(warehouse_name), '') as warehouse_name,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
