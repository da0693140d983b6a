-- Plan against actual per plant, line, product and plant-local production date (KPIS.md
-- planned_qty and plan_attainment, as plan_truth.py): planned_qty is the frozen plan's
-- quantity split by planned time inside the date (int_frozen_plan_split_by_date); good_qty
-- is the first-pass good quantity of the line's machines for that product on that
-- production date (the shift it was reported in), kept for the dates a frozen plan covers -
-- those after the plant's first published version, up to the as-of date - whether or not the
-- plan had the product. plan_attainment = Σ good_qty / Σ planned_qty at any grain.
with frozen_plan as (
    select * from {{ ref('int_frozen_plan_split_by_date') }}
),

versions as (
    select * from {{ ref('int_schedule_versions_sequenced') }}
),

reports as (
    select * from {{ ref('int_production_reports_attributed') }}
),

materials as (
    select material_id, product_family from {{ ref('dim_material') }}
),

planned as (
    select
        plant_id,
        line_id,
        product_id,
        production_date,
        {{ exact_sum('planned_qty') }} as planned_qty
    from frozen_plan
    group by plant_id, line_id, product_id, production_date
),

plan_span as (
    select
        plant_id,
        min(frozen_from_date) as first_date,
        max(frozen_to_date) as last_date
    from versions
    group by plant_id
),

made as (
    select
        reports.plant_id,
        reports.line_id,
        reports.product_id,
        reports.production_date,
        sum(reports.good_qty) as good_qty
    from reports
    inner join plan_span
        on reports.plant_id = plan_span.plant_id
        and reports.production_date between plan_span.first_date and plan_span.last_date
    group by reports.plant_id, reports.line_id, reports.product_id, reports.production_date
),

matched as (
    select
        coalesce(planned.plant_id, made.plant_id) as plant_id,
        coalesce(planned.line_id, made.line_id) as line_id,
        coalesce(planned.product_id, made.product_id) as product_id,
        coalesce(planned.production_date, made.production_date) as production_date,
        coalesce(planned.planned_qty, 0) as planned_qty,
        coalesce(made.good_qty, 0) as good_qty
    from planned
    full outer join made
        on planned.plant_id = made.plant_id
        and planned.line_id = made.line_id
        and planned.product_id = made.product_id
        and planned.production_date = made.production_date
),

final as (
    select
        matched.plant_id,
        matched.line_id,
        matched.product_id,
        materials.product_family,
        matched.production_date,
        matched.planned_qty,
        matched.good_qty
    from matched
    left join materials
        on matched.product_id = materials.material_id
)

select * from final
