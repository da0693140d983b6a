-- One row per purchase order line with its receipts and supplier on-time status.
with po_lines as (
    select * from {{ ref('stg_erp__purchase_order_lines') }}
),

receipts as (
    select * from {{ ref('int_po_line_receipts_summed') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_computed') }}
),

joined as (
    select
        po_lines.po_id,
        po_lines.line_no,
        po_lines.supplier_id,
        po_lines.material_id,
        materials.material_type,
        receipts.plant_id,
        po_lines.order_qty,
        po_lines.order_date,
        po_lines.promised_date,
        as_of.as_of_date,
        po_lines.promised_date <= as_of.as_of_date as due,
        coalesce(receipts.received_qty, 0) as received_qty,
        coalesce(receipts.received_qty_by_promise, 0) as received_qty_by_promise,
        receipts.first_receipt_date
    from po_lines
    cross join as_of
    left join receipts
        on po_lines.po_id = receipts.po_id
        and po_lines.line_no = receipts.line_no
    left join materials
        on po_lines.material_id = materials.material_id
),

final as (
    select
        po_id,
        line_no,
        supplier_id,
        material_id,
        material_type,
        plant_id,
        order_qty,
        order_date,
        promised_date,
        as_of_date,
        due::int as is_due,
        received_qty,
        received_qty_by_promise,
        first_receipt_date,
        case when due then (received_qty_by_promise >= order_qty)::int end as is_on_time
    from joined
)

select * from final
