with source as (
    select * from {{ source('wms', 'stock_snapshots') }}
),

latest as (
    select * from source
    {{ latest_extract(['snapshot_date', 'warehouse_id', 'material_id', 'lot_id']) }}
),

final as (
    select
        snapshot_date,
        nullif(trim(warehouse_id), '') as warehouse_id,
        nullif(trim(material_id), '') as material_id,
        nullif(trim(lot_id), '') as lot_id,
        on_hand_qty,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
