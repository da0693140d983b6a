with shipments as (
    select * from {{ ref('int_shipments_localized') }}
),

order_lines as (
    select * from {{ ref('stg_erp__sales_order_lines') }}
),

customers as (
    select * from {{ ref('stg_erp__customers') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

final as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.line_no,
        shipments.shipped_at,
        shipments.shipped_date,
        shipments.plant_id,
        shipments.warehouse_id,
        order_lines.customer_id,
        customers.region,
        customers.segment,
        shipments.material_id,
        materials.material_type,
        materials.product_family,
        shipments.shipped_qty,
        shipments.shipped_qty * materials.standard_cost as cogs
    from shipments
    left join order_lines
        on shipments.order_id = order_lines.order_id
        and shipments.line_no = order_lines.line_no
    left join customers
        on order_lines.customer_id = customers.customer_id
    left join materials
        on shipments.material_id = materials.material_id
)

select * from final
