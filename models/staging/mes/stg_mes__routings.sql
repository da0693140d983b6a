with source as (
    select * from {{ source('mes', 'routings') }}
),

latest as (
    select * from source
    {{ latest_extract(['product_id', 'equipment_id']) }}
),

final as (
    select
        nullif(trim(product_id), '') as product_id,
        nullif(trim(equipment_id), '') as equipment_id,
        ideal_cycle_time_s,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
