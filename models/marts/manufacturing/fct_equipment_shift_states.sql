{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='production_date',
        on_schema_change='fail'
    )
}}

-- depends_on: {{ ref('int_manufacturing_date_loads') }}

with state_seconds as (
    select * from {{ ref('int_equipment_shift_state_seconds') }}
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
        (select manufacturing_load_id from {{ ref('int_load_watermarks') }}) as _max_load_id
    from state_seconds
)

select * from final
