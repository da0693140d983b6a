with customers as (
    select * from {{ ref('stg_erp__customers') }}
),

region_labels as (
    select * from {{ ref('region_labels') }}
),

segment_labels as (
    select * from {{ ref('segment_labels') }}
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.region,
        coalesce(region_labels.region_zh, customers.region) as region_zh,
        customers.segment,
        coalesce(segment_labels.segment_zh, customers.segment) as segment_zh,
        coalesce(segment_labels.segment_vi, customers.segment) as segment_vi
    from customers
    left join region_labels
        on customers.region = region_labels.region
    left join segment_labels
        on customers.segment = segment_labels.segment
)

select * from final
