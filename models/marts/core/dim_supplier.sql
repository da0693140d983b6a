with suppliers as (
    select * from {{ ref('stg_erp__suppliers') }}
),

region_labels as (
    select * from {{ ref('region_labels') }}
),

final as (
    select
        suppliers.supplier_id,
        suppliers.supplier_name,
        suppliers.region,
        coalesce(region_labels.region_zh, suppliers.region) as region_zh
    from suppliers
    left join region_labels
        on suppliers.region = region_labels.region
)

select * from final
