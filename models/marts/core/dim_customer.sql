with customers as (
    select * from {{ ref('stg_erp__customers') }}
),

region_labels as (
    select * from {{ ref('region_labels') }}
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.region,
        coalesce(region_labels.region_zh, customers.region) as region_zh,
        customers.segment
    from customers
    left join region_labels
        on customers.region = region_labels.region
)

select * from final
