-- The frozen plan per plant-local date: each operation of a version, on every date the
-- version is the frozen plan of (int_schedule_versions_sequenced), with the share of its
-- planned quantity that falls in that date - in proportion to its planned time inside the
-- date; an operation of no duration belongs wholly to the date of its start (KPIS.md,
-- plan_truth.planned_qty_on_date).
with versions as (
    select * from {{ ref('int_schedule_versions_sequenced') }}
),

operations as (
    select * from {{ ref('int_planned_operations_localized') }}
),

operation_dates as (
    select
        operations.*,
        cast(operations.planned_start as date) as start_date,
        cast(operations.planned_end as date) as end_date
    from operations
),

spread as (
    select
        operation_dates.*,
        {{ day_offsets('start_date', 'end_date') }} as day_offset
    from operation_dates
),

dated as (
    select
        spread.*,
        cast(spread.start_date + cast(spread.day_offset as integer) as date) as production_date
    from spread
),

bounded as (
    select
        dated.*,
        {{ epoch_seconds('cast(dated.production_date as timestamp)') }} as date_start_s
    from dated
),

shared as (
    select
        plan_version,
        plant_id,
        line_id,
        product_id,
        work_order_id,
        operation_no,
        production_date,
        planned_end_s - planned_start_s as duration_s,
        least(planned_end_s, date_start_s + 86400) - greatest(planned_start_s, date_start_s)
            as inside_s,
        planned_qty as operation_qty
    from bounded
),

in_date as (
    select
        *,
        case
            when duration_s > 0 then operation_qty * inside_s / duration_s
            else operation_qty
        end as planned_qty
    from shared
    where (duration_s > 0 and inside_s > 0)
        or (duration_s <= 0 and inside_s >= 0)
),

final as (
    select
        in_date.plan_version,
        in_date.plant_id,
        in_date.line_id,
        in_date.product_id,
        in_date.work_order_id,
        in_date.operation_no,
        in_date.production_date,
        in_date.operation_qty,
        in_date.planned_qty
    from in_date
    inner join versions
        on in_date.plan_version = versions.plan_version
        and in_date.production_date between versions.frozen_from_date and versions.frozen_to_date
)

select * from final
