-- Production reports attributed to the shift in which they end (attribute_to_shift), with
-- the ideal cycle time (PRI) of the product on the equipment. Reports ending outside every
-- shift keep a NULL shift.
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['report_id'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['equipment', 'plants', 'shifts', 'routings']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with reports as (
    {{ rows_to_process(ref('int_production_reports_localized'), ['report_id'], ['equipment', 'plants', 'shifts', 'routings']) }}
),

shift_windows as (
    select * from {{ ref('int_shifts_expanded_by_date') }}
),

routings as (
    select * from {{ ref('stg_mes__routings') }}
),

attributed as (
    {{ attribute_to_shift('reports', 'shift_windows', 'end_ts') }}
),

final as (
    select
        attributed.report_id,
        attributed.work_order_id,
        attributed.plant_id,
        attributed.line_id,
        attributed.equipment_id,
        attributed.product_id,
        attributed.start_ts,
        attributed.end_ts,
        attributed.production_date,
        attributed.shift_code,
        attributed.produced_qty,
        attributed.good_qty,
        attributed.scrap_qty,
        attributed.rework_qty,
        routings.ideal_cycle_time_s,
        routings.ideal_cycle_time_s * attributed.produced_qty as ideal_produced_s,
        routings.ideal_cycle_time_s * attributed.good_qty as ideal_good_s,
        routings.ideal_cycle_time_s * (attributed.scrap_qty + attributed.rework_qty)
            as ideal_loss_s,
        attributed._load_id
    from attributed
    left join routings
        on attributed.product_id = routings.product_id
        and attributed.equipment_id = routings.equipment_id
)

select * from final
