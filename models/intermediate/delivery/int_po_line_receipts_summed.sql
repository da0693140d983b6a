-- Per purchase order line: goods receipts (GOODS_RECEIPT movements referencing the PO,
-- reference_id = po_id, reference_line = line_no) in total and by the end of the promised
-- date, the first receipt date and the receiving warehouse's plant.
with po_lines as (
    select * from {{ ref('stg_erp__purchase_order_lines') }}
),

receipts as (
    select * from {{ ref('int_inventory_movements_localized') }}
    where movement_type = 'GOODS_RECEIPT'
        and reference_type = 'PO'
),

final as (
    select
        po_lines.po_id,
        po_lines.line_no,
        sum(receipts.qty) as received_qty,
        coalesce(sum(receipts.qty) filter (where receipts.movement_date <= po_lines.promised_date), 0)
            as received_qty_by_promise,
        min(receipts.movement_date) as first_receipt_date,
        {{ min_by_non_null('receipts.plant_id', 'receipts.movement_ts') }}
            as plant_id
    from po_lines
    inner join receipts
        on po_lines.po_id = receipts.reference_id
        and po_lines.line_no = receipts.reference_line
    group by po_lines.po_id, po_lines.line_no
)

select * from final
