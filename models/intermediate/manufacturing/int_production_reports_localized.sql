-- Production reports in plant-local time with the equipment's line and plant.
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['report_id'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['equipment', 'plants']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with reports as (
    {{ rows_to_process(ref('stg_mes__production_reports'), ['report_id'], ['equipment', 'plants']) }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

final as (
    select
        reports.report_id,
        reports.work_order_id,
        reports.equipment_id,
        equipment.plant_id,
        equipment.line_id,
        reports.product_id,
        {{ to_plant_local('reports.start_ts', 'reports.start_ts_utc_offset_min', 'equipment.timezone') }}
            as start_ts,
        {{ to_plant_local('reports.end_ts', 'reports.end_ts_utc_offset_min', 'equipment.timezone') }}
            as end_ts,
        reports.produced_qty,
        reports.good_qty,
        reports.scrap_qty,
        reports.rework_qty,
        reports.lot_id,
        reports._load_id
    from reports
    inner join equipment
        on reports.equipment_id = equipment.equipment_id
)

select * from final
