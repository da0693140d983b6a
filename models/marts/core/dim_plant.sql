with plants as (
    select * from {{ ref('stg_mes__plants') }}
),

final as (
    select
        plant_id,
        {{ name_en('plant_name') }} as plant_name_en,
        {{ name_zh('plant_name') }} as plant_name_zh,
        timezone,
        country
    from plants
)

select * from final
