with defect_codes as (
    select * from {{ ref('stg_mes__defect_codes') }}
),

final as (
    select
        defect_code,
        {{ name_en('description') }} as description_en,
        coalesce(description_zh, {{ name_zh('description') }}) as description_zh,
        category
    from defect_codes
)

select * from final
