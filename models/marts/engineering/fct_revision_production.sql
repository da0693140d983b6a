-- Production on work orders that carry a revision, per plant, line, product and production
-- date, and the part of it built on a superseded revision (KPIS.md
-- superseded_revision_share, as change_truth.superseded_share): a report's quantity is
-- superseded when its work order's revision is older (alphabetically earlier) than the
-- product's current revision at the report's end (plant-local date): the to_revision of the
-- latest change in effect then (APPROVED or IMPLEMENTED, effective from the start of its
-- effective_date). Before a product's first effective change nothing is superseded.
-- superseded_revision_share = Σ superseded_qty / Σ produced_qty_with_revision.
with reports as (
    select * from {{ ref('int_production_reports_attributed') }}
),

work_orders as (
    select * from {{ ref('stg_mes__work_orders') }}
),

changes as (
    select * from {{ ref('fct_engineering_changes') }}
    where is_effective = 1
),

materials as (
    select material_id, product_family from {{ ref('dim_material') }}
),

with_revision as (
    select
        reports.report_id,
        reports.plant_id,
        reports.line_id,
        work_orders.product_id,
        reports.production_date,
        cast(reports.end_ts as date) as end_date,
        work_orders.revision,
        reports.produced_qty
    from reports
    inner join work_orders
        on reports.work_order_id = work_orders.work_order_id
    where work_orders.revision is not null
),

current_at_end as (
    select
        with_revision.report_id,
        max_by(changes.to_revision, changes.effective_date) as current_revision
    from with_revision
    inner join changes
        on with_revision.product_id = changes.product_id
        and changes.effective_date <= with_revision.end_date
    group by with_revision.report_id
),

classified as (
    select
        with_revision.*,
        current_at_end.current_revision,
        case
            when with_revision.revision < current_at_end.current_revision
                then with_revision.produced_qty
            else 0
        end as superseded_qty
    from with_revision
    left join current_at_end
        on with_revision.report_id = current_at_end.report_id
),

final as (
    select
        classified.plant_id,
        classified.line_id,
        classified.product_id,
        any_value(materials.product_family) as product_family,
        classified.production_date,
        sum(classified.produced_qty) as produced_qty_with_revision,
        sum(classified.superseded_qty) as superseded_qty
    from classified
    left join materials
        on classified.product_id = materials.material_id
    group by classified.plant_id, classified.line_id, classified.product_id,
        classified.production_date
)

select * from final
