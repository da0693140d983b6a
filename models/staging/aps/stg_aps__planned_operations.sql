with source as (
    select * from {{ source('aps', 'planned_operations') }}
),

latest as (
    select * from source
    {{ latest_extract(['plan_version', 'work_order_id', 'operation_no']) }}
),

final as (
    select
        nullif(trim(plan_version), '') as plan_version,
        nullif(trim(work_order_id), '') as work_order_id,
        operation_no,
        nullif(trim(line_id), '') as line_id,
        nullif(trim(equipment_id), '') as equipment_id,
        planned_start,
        planned_start_utc_offset_min,
        planned_end,
        planned_end_utc_offset_min,
        planned_qty,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
