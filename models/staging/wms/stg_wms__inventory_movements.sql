-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['movement_id'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('wms', 'inventory_movements'), ['movement_id']) }}
),

latest as (
    select * from source
    {{ latest_extract(['movement_id']) }}
),

final as (
    select
        nullif(trim(movement_id), '') as movement_id,
        movement_ts,
        movement_ts_utc_offset_min,
        nullif(trim(warehouse_id), '') as warehouse_id,
        nullif(trim(material_id), '') as material_id,
        upper(nullif(trim(movement_type), '')) as movement_type,
        qty,
        nullif(trim(lot_id), '') as lot_id,
        upper(nullif(trim(reference_type), '')) as reference_type,
        nullif(trim(reference_id), '') as reference_id,
        reference_line,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
