{{ config(
    materialized='incremental',
    unique_key='production_date',
    partition_by=partitioned_on_spark('production_date'),
) }}

-- depends_on: {{ ref('int_manufacturing_dates_touched') }}

with state_seconds as (
    select * from {{ ref('int_equipment_shift_states_summed') }}
    {{ manufacturing_dates_filter() }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        state,
        seconds,
        events,
        (select manufacturing_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from state_seconds
)

select * from final
