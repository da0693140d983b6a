with source as (
    select * from {{ source('erp', 'customers') }}
),

latest as (
    select * from source
    {{ latest_extract(['customer_id']) }}
),

final as (
    select
        nullif(trim(customer_id), '') as customer_id,
        nullif(trim(customer_name), '') as customer_name,
        nullif(trim(region), '') as region,
        nullif(trim(segment), '') as segment,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
