-- One row per published schedule version with its frozen-window changes (KPIS.md
-- schedule_change_rate, as plan_truth.frozen_window_changes): the operations (work order,
-- operation number) whose planned start lies in the version's first 48 h - in it or in the
-- plant's previous version - and of those the ones the previous version lacked, that
-- disappeared, whose start moved by more than 60 min or whose quantity changed. A plant's
-- first version has no previous one: both counts NULL.
with versions as (
    select * from {{ ref('int_schedule_versions_sequenced') }}
),

operations as (
    select * from {{ ref('int_planned_operations_localized') }}
),

windows as (
    select
        plan_version,
        previous_plan_version,
        {{ epoch_seconds('published_at') }} as window_start_s,
        {{ epoch_seconds('published_at') }} + 48 * 3600 as window_end_s
    from versions
    where previous_plan_version is not null
),

current_ops as (
    select
        windows.plan_version,
        windows.window_start_s,
        windows.window_end_s,
        operations.work_order_id,
        operations.operation_no,
        operations.planned_start_s,
        operations.planned_qty
    from windows
    inner join operations
        on windows.plan_version = operations.plan_version
),

previous_ops as (
    select
        windows.plan_version,
        windows.window_start_s,
        windows.window_end_s,
        operations.work_order_id,
        operations.operation_no,
        operations.planned_start_s,
        operations.planned_qty
    from windows
    inner join operations
        on windows.previous_plan_version = operations.plan_version
),

compared as (
    select
        coalesce(current_ops.plan_version, previous_ops.plan_version) as plan_version,
        coalesce(current_ops.window_start_s, previous_ops.window_start_s) as window_start_s,
        coalesce(current_ops.window_end_s, previous_ops.window_end_s) as window_end_s,
        current_ops.planned_start_s as current_start_s,
        current_ops.planned_qty as current_qty,
        previous_ops.planned_start_s as previous_start_s,
        previous_ops.planned_qty as previous_qty
    from current_ops
    full outer join previous_ops
        on current_ops.plan_version = previous_ops.plan_version
        and current_ops.work_order_id = previous_ops.work_order_id
        and current_ops.operation_no = previous_ops.operation_no
),

in_window as (
    select
        *,
        case
            when current_start_s is null or previous_start_s is null then 1
            when abs(current_start_s - previous_start_s) > 3600 then 1
            when current_qty <> previous_qty then 1
            else 0
        end as is_changed
    from compared
    where (current_start_s >= window_start_s and current_start_s < window_end_s)
        or (previous_start_s >= window_start_s and previous_start_s < window_end_s)
),

counted as (
    select
        plan_version,
        count(*) as window_ops,
        sum(is_changed) as changed_ops
    from in_window
    group by plan_version
),

final as (
    select
        versions.plan_version,
        versions.plant_id,
        versions.published_at,
        versions.published_date,
        versions.horizon_start,
        versions.horizon_end,
        versions.previous_plan_version,
        case
            when versions.previous_plan_version is not null
                then coalesce(counted.window_ops, 0)
        end as window_ops,
        case
            when versions.previous_plan_version is not null
                then coalesce(counted.changed_ops, 0)
        end as changed_ops
    from versions
    left join counted
        on versions.plan_version = counted.plan_version
)

select * from final
