{{ config(
    materialized='incremental',
    unique_key='production_date',
    partition_by=partitioned_on_spark('production_date'),
) }}

-- depends_on: {{ ref('int_manufacturing_dates_touched') }}

-- One row per equipment and shift: the time model (seconds per state, POT, PBT, APT) and
-- the production of the shift, with the OEE components as ratios of this row's sums.
with windows as (
    select * from {{ ref('int_equipment_shifts_clipped') }}
    {{ manufacturing_dates_filter() }}
),

states as (
    select * from {{ ref('int_equipment_shift_states_summed') }}
    {{ manufacturing_dates_filter() }}
),

production as (
    select * from {{ ref('int_production_reports_attributed') }}
    where shift_code is not null
    {{ manufacturing_dates_filter(prefix='and') }}
),

state_pivot as (
    select
        equipment_id,
        production_date,
        shift_code,
        sum(seconds) as state_s,
        coalesce(sum(seconds) filter (where state = 'NOT_SCHEDULED'), 0) as not_scheduled_s,
        coalesce(sum(seconds) filter (where state = 'PLANNED_STOP'), 0) as planned_stop_s,
        coalesce(sum(seconds) filter (where state = 'RUNNING'), 0) as running_s,
        coalesce(sum(seconds) filter (where state = 'MINOR_STOP'), 0) as minor_stop_s,
        coalesce(sum(seconds) filter (where state = 'SETUP'), 0) as setup_s,
        coalesce(sum(seconds) filter (where state = 'UNPLANNED_STOP'), 0) as unplanned_stop_s,
        coalesce(sum(seconds) filter (where state = 'STARVED'), 0) as starved_s,
        coalesce(sum(seconds) filter (where state = 'BLOCKED'), 0) as blocked_s,
        coalesce(sum(seconds) filter (where state = 'UNKNOWN'), 0) as unknown_s,
        coalesce(sum(events) filter (where state = 'UNPLANNED_STOP'), 0) as unplanned_stop_events
    from states
    group by equipment_id, production_date, shift_code
),

production_per_shift as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty,
        sum(scrap_qty) as scrap_qty,
        sum(rework_qty) as rework_qty,
        coalesce(round({{ exact_sum('ideal_produced_s') }}, 6), 0) as ideal_produced_s,
        coalesce(round({{ exact_sum('ideal_good_s') }}, 6), 0) as ideal_good_s,
        coalesce(round({{ exact_sum('ideal_loss_s') }}, 6), 0) as ideal_loss_s
    from production
    group by plant_id, line_id, equipment_id, production_date, shift_code
),

-- Production can end in a shift the equipment's state data does not cover: it keeps a
-- row (with zero time) so that no produced quantity is lost.
spine as (
    select plant_id, line_id, equipment_id, production_date, shift_code, shift_s
    from windows
    union all
    select
        production_per_shift.plant_id,
        production_per_shift.line_id,
        production_per_shift.equipment_id,
        production_per_shift.production_date,
        production_per_shift.shift_code,
        0 as shift_s
    from production_per_shift
    anti join windows
        on production_per_shift.equipment_id = windows.equipment_id
        and production_per_shift.production_date = windows.production_date
        and production_per_shift.shift_code = windows.shift_code
),

combined as (
    select
        spine.plant_id,
        spine.line_id,
        spine.equipment_id,
        spine.production_date,
        spine.shift_code,
        spine.shift_s,
        coalesce(state_pivot.not_scheduled_s, 0) as not_scheduled_s,
        spine.shift_s - coalesce(state_pivot.not_scheduled_s, 0) as pot_s,
        coalesce(state_pivot.planned_stop_s, 0) as planned_stop_s,
        spine.shift_s - coalesce(state_pivot.not_scheduled_s, 0)
        - coalesce(state_pivot.planned_stop_s, 0) as pbt_s,
        coalesce(state_pivot.running_s, 0) as running_s,
        coalesce(state_pivot.minor_stop_s, 0) as minor_stop_s,
        coalesce(state_pivot.running_s, 0) + coalesce(state_pivot.minor_stop_s, 0) as apt_s,
        coalesce(state_pivot.setup_s, 0) as setup_s,
        coalesce(state_pivot.unplanned_stop_s, 0) as unplanned_stop_s,
        coalesce(state_pivot.starved_s, 0) as starved_s,
        coalesce(state_pivot.blocked_s, 0) as blocked_s,
        coalesce(state_pivot.unknown_s, 0) as unknown_s,
        coalesce(state_pivot.unplanned_stop_events, 0) as unplanned_stop_events,
        coalesce(production_per_shift.produced_qty, 0) as produced_qty,
        coalesce(production_per_shift.good_qty, 0) as good_qty,
        coalesce(production_per_shift.scrap_qty, 0) as scrap_qty,
        coalesce(production_per_shift.rework_qty, 0) as rework_qty,
        coalesce(production_per_shift.ideal_produced_s, 0) as ideal_produced_s,
        coalesce(production_per_shift.ideal_good_s, 0) as ideal_good_s,
        coalesce(production_per_shift.ideal_loss_s, 0) as ideal_loss_s
    from spine
    left join state_pivot
        on spine.equipment_id = state_pivot.equipment_id
        and spine.production_date = state_pivot.production_date
        and spine.shift_code = state_pivot.shift_code
    left join production_per_shift
        on spine.equipment_id = production_per_shift.equipment_id
        and spine.production_date = production_per_shift.production_date
        and spine.shift_code = production_per_shift.shift_code
),

final as (
    select
        *,
        apt_s - minor_stop_s - ideal_produced_s as reduced_speed_s,
        ideal_good_s as fully_productive_s,
        {{ safe_divide('apt_s', 'pbt_s') }} as availability,
        {{ safe_divide('ideal_produced_s', 'apt_s') }} as performance,
        {{ safe_divide('ideal_good_s', 'ideal_produced_s') }} as quality,
        {{ safe_divide('ideal_good_s', 'pbt_s') }} as oee,
        (select manufacturing_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from combined
)

select * from final
