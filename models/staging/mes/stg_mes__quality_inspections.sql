-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['inspection_id'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('mes', 'quality_inspections'), ['inspection_id']) }}
),

latest as (
    select * from source
    {{ latest_extract(['inspection_id']) }}
),

final as (
    select
        nullif(trim(inspection_id), '') as inspection_id,
        nullif(trim(product_id), '') as product_id,
        inspected_at,
        inspected_at_utc_offset_min,
        upper(nullif(trim(result), '')) as result,
        nullif(trim(lot_id), '') as lot_id,
        nullif(trim(work_order_id), '') as work_order_id,
        nullif(trim(equipment_id), '') as equipment_id,
        nullif(trim(characteristic), '') as characteristic,
        measured_value,
        lsl,
        usl,
        nullif(trim(defect_code), '') as defect_code,
        defect_qty,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
