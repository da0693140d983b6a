with materials as (
    select * from {{ ref('stg_erp__materials') }}
),

family_labels as (
    select * from {{ ref('product_family_labels') }}
),

final as (
    select
        materials.material_id,
        {{ name_en('materials.description') }} as description_en,
        coalesce(materials.description_zh, {{ name_zh('materials.description') }}) as description_zh,
        materials.material_type,
        materials.product_family,
        coalesce(family_labels.product_family_zh, materials.product_family) as product_family_zh,
        materials.uom,
        materials.standard_cost,
        materials.currency
    from materials
    left join family_labels
        on materials.product_family = family_labels.product_family
)

select * from final
