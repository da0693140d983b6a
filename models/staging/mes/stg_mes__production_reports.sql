with source as (
    select * from {{ source('mes', 'production_reports') }}
),

latest as (
    select * from source
    {{ latest_extract(['report_id']) }}
),

final as (
    select
        nullif(trim(report_id), '') as report_id,
        nullif(trim(work_order_id), '') as work_order_id,
        nullif(trim(equipment_id), '') as equipment_id,
        nullif(trim(product_id), '') as product_id,
        start_ts,
        start_ts_utc_offset_min,
        end_ts,
        end_ts_utc_offset_min,
        produced_qty,
        good_qty,
        scrap_qty,
        rework_qty,
        nullif(trim(lot_id), '') as lot_id,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
