{{ config(materialized='table') }}

-- Production reports attributed to the shift in which they end (shift_start < end_ts <=
-- shift_end), with the ideal cycle time (PRI) of the product on the equipment. Reports
-- ending outside every shift keep a NULL shift.
with reports as (
    select * from {{ ref('int_production_reports_localized') }}
),

shift_windows as (
    select * from {{ ref('int_shift_windows') }}
),

routings as (
    select * from {{ ref('stg_mes__routings') }}
),

-- A report can only end in a shift of its end date or of the day before (a shift crossing
-- midnight): equi-join on those two candidate dates.
candidates as (
    select
        report_id,
        plant_id,
        end_ts,
        unnest([end_ts::date - 1, end_ts::date]) as candidate_date
    from reports
),

in_shift as (
    select
        candidates.report_id,
        shift_windows.production_date,
        shift_windows.shift_code
    from candidates
    inner join shift_windows
        on candidates.plant_id = shift_windows.plant_id
        and candidates.candidate_date = shift_windows.production_date
        and candidates.end_ts > shift_windows.shift_start
        and candidates.end_ts <= shift_windows.shift_end
),

attributed as (
    select
        reports.*,
        in_shift.production_date,
        in_shift.shift_code
    from reports
    left join in_shift
        on reports.report_id = in_shift.report_id
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
