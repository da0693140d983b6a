with warehouses as (
    select * from {{ ref('stg_wms__warehouses') }}
),

final as (
    select
        warehouse_id,
        plant_id,
        {{ name_en('warehouse_name') }} as warehouse_name_en,
        {{ name_zh('warehouse_name') }} as warehouse_name_zh
    from warehouses
)

select * from final
