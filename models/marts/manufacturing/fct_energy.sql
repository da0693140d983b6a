{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='production_date',
        on_schema_change='fail'
    )
}}

with readings as (
    select * from {{ ref('int_meter_readings_attributed') }}
    {% if is_incremental() %}
    where production_date in (
        select production_date
        from {{ ref('int_meter_readings_attributed') }}
        where _load_id > {{ previous_load_id() }}
            or (select energy_master_load_id from {{ ref('int_load_watermarks') }})
            > {{ previous_load_id() }}
    )
    {% endif %}
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
