with materials as (
    select * from {{ ref('dim_material') }}
),

final as (
    select
        material_id as product_id,
        *
    from materials
    where material_type = 'FG'
)

select * from final
