with source as (
    select * from {{ source('erp', 'suppliers') }}
),

latest as (
    select * from source
    {{ latest_extract(['supplier_id']) }}
),

final as (
    select
        nullif(trim(supplier_id), '') as supplier_id,
        nullif(trim(supplier_name), '') as supplier_name,
        nullif(trim(region), '') as region,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
