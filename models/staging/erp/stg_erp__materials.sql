with source as (
    select * from {{ source('erp', 'materials') }}
),

latest as (
    select * from source
    {{ latest_extract(['material_id']) }}
),

final as (
    select
        nullif(trim(material_id), '') as material_id,
        nullif(trim(description), '') as description,
        nullif(trim(description_zh), '') as description_zh,
        upper(nullif(trim(material_type), '')) as material_type,
        nullif(trim(uom), '') as uom,
        standard_cost,
        upper(nullif(trim(currency), '')) as currency,
        nullif(trim(product_family), '') as product_family,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
