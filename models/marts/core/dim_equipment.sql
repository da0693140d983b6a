with equipment as (
    select * from {{ ref('stg_mes__equipment') }}
),

final as (
    select
        equipment_id,
        {{ name_en('equipment_name') }} as equipment_name_en,
        {{ name_zh('equipment_name') }} as equipment_name_zh,
        line_id,
        plant_id,
        area
    from equipment
)

select * from final
