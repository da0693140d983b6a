with source as (
    select * from {{ source('erp', 'purchase_order_lines') }}
),

latest as (
    select * from source
    {{ latest_extract(['po_id', 'line_no']) }}
),

final as (
    select
        nullif(trim(po_id), '') as po_id,
        line_no,
        nullif(trim(supplier_id), '') as supplier_id,
        nullif(trim(material_id), '') as material_id,
        order_qty,
        unit_price,
        upper(nullif(trim(currency), '')) as currency,
        order_date,
        promised_date,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
