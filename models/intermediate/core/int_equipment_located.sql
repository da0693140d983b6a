-- Equipment with its line, plant and the plant's IANA time zone (to read source times).
with equipment as (
    select * from {{ ref('stg_mes__equipment') }}
),

plants as (
    select * from {{ ref('stg_mes__plants') }}
),

final as (
    select
        equipment.equipment_id,
        equipment.line_id,
        equipment.plant_id,
        plants.timezone
    from equipment
    left join plants
        on equipment.plant_id = plants.plant_id
)

select * from final
