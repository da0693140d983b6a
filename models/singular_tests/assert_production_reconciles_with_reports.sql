-- Σ quantities in fct_production (and fct_equipment_shifts) = Σ of the deduplicated
-- production reports that end inside a shift: nothing lost, nothing counted twice. An
-- incremental build checks the dates it rebuilt and the dates of newly loaded reports.
with checked_dates as (
    select production_date from {{ ref('fct_equipment_shifts') }}
    where {{ in_test_window() }}
    union
    select production_date from {{ ref('int_production_reports_attributed') }}
    where {{ in_test_window('_load_id') }}
),

reports as (
    select
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty,
        sum(scrap_qty) as scrap_qty,
        sum(rework_qty) as rework_qty
    from {{ ref('int_production_reports_attributed') }}
    where shift_code is not null
        and ({{ test_whole_history() }} or production_date in (select * from checked_dates))
),

production as (
    select
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty,
        sum(scrap_qty) as scrap_qty,
        sum(rework_qty) as rework_qty
    from {{ ref('fct_production') }}
    where {{ test_whole_history() }} or production_date in (select * from checked_dates)
),

equipment_shifts as (
    select
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty,
        sum(scrap_qty) as scrap_qty,
        sum(rework_qty) as rework_qty
    from {{ ref('fct_equipment_shifts') }}
    where {{ test_whole_history() }} or production_date in (select * from checked_dates)
),

staged as (
    select count(*) as reports
    from {{ ref('stg_mes__production_reports') }}
),

attributed as (
    select count(*) as reports
    from {{ ref('int_production_reports_attributed') }}
)

select
    reports.produced_qty as reports_produced_qty,
    reports.good_qty as reports_good_qty,
    reports.scrap_qty as reports_scrap_qty,
    reports.rework_qty as reports_rework_qty,
    production.produced_qty as production_produced_qty,
    production.good_qty as production_good_qty,
    production.scrap_qty as production_scrap_qty,
    production.rework_qty as production_rework_qty,
    equipment_shifts.produced_qty as equipment_shifts_produced_qty,
    equipment_shifts.good_qty as equipment_shifts_good_qty,
    staged.reports as staged_reports,
    attributed.reports as attributed_reports
from reports, production, equipment_shifts, staged, attributed
where abs(coalesce(reports.produced_qty, 0) - coalesce(production.produced_qty, 0)) > 1e-6
    or abs(coalesce(reports.good_qty, 0) - coalesce(production.good_qty, 0)) > 1e-6
    or abs(coalesce(reports.scrap_qty, 0) - coalesce(production.scrap_qty, 0)) > 1e-6
    or abs(coalesce(reports.rework_qty, 0) - coalesce(production.rework_qty, 0)) > 1e-6
    or abs(coalesce(equipment_shifts.produced_qty, 0) - coalesce(production.produced_qty, 0)) > 1e-6
    or abs(coalesce(equipment_shifts.good_qty, 0) - coalesce(production.good_qty, 0)) > 1e-6
    -- a report attributed to two shifts would be counted twice
    or attributed.reports > staged.reports
