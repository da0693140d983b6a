{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='production_date',
        on_schema_change='fail'
    )
}}

-- depends_on: {{ ref('int_meter_readings_localized') }}

with readings as (
    select * from {{ ref('int_meter_readings_attributed') }}
    -- A reading belongs to the production date of its own local date or the day before:
    -- rebuild those dates of the readings loaded since (all of them after a master-data
    -- change), from the readings of those dates and the day after.
    {%- set changed_readings %}
        select reading_date from {{ ref('int_meter_readings_localized') }}
        where _load_id > {{ previous_load_id() }}
            or (select energy_master_load_id from {{ ref('int_load_watermarks') }})
            > {{ previous_load_id() }}
    {%- endset %}
    {{ changed_dates_filter('production_date',
        'select reading_date - 1 from (' ~ changed_readings ~ ') union all select reading_date from (' ~ changed_readings ~ ')') }}
    {{ changed_dates_filter('reading_date',
        'select reading_date - 1 from (' ~ changed_readings ~ ') union all select reading_date from ('
        ~ changed_readings ~ ') union all select reading_date + 1 from (' ~ changed_readings ~ ')', prefix='and') }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        round(fsum(energy_kwh), 6) as energy_kwh,
        (select energy_load_id from {{ ref('int_load_watermarks') }}) as _max_load_id
    from readings
    group by plant_id, line_id, equipment_id, production_date, shift_code
)

select * from final
