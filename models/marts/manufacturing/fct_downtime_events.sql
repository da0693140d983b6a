{{ config(
    materialized='incremental',
    unique_key='production_date',
    partition_by=partitioned_on_spark('production_date'),
) }}

-- depends_on: {{ ref('int_manufacturing_dates_touched') }}

-- Loss-state records split by shift: one row per record piece inside a shift window.
with pieces as (
    select * from {{ ref('int_equipment_states_split_by_shift') }}
    where state in (
        'UNPLANNED_STOP', 'SETUP', 'MINOR_STOP', 'STARVED', 'BLOCKED', 'PLANNED_STOP'
    )
    {{ manufacturing_dates_filter(prefix='and') }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        state,
        reason_code,
        reason_text,
        start_ts,
        end_ts,
        seconds,
        state_start_ts,
        is_event_start::int as is_event_start,
        (select manufacturing_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from pieces
)

select * from final
