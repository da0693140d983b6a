{{ config(
    materialized='incremental',
    unique_key='production_date',
    partition_by=partitioned_on_spark('production_date'),
) }}

-- depends_on: {{ ref('int_meter_readings_localized') }}

with readings as (
    select * from {{ ref('int_meter_readings_attributed') }}
    -- A reading belongs to the production date of a shift it ends in (the date it starts
    -- on, the day before, or the day after when it crosses midnight into a shift starting
    -- then) or, outside every shift, to the date it starts on: rebuild those dates of the
    -- readings loaded since (all of them after a master-data change).
    {%- set changed_dates %}
        with changed as (
            select reading_date from {{ ref('int_meter_readings_localized') }}
            where _load_id > {{ previous_load_id() }}
                or (select energy_master_load_id from {{ ref('int_load_watermarks_computed') }})
                > {{ previous_load_id() }}
        )
        select reading_date - 1 from changed
        union all
        select reading_date from changed
        union all
        select reading_date + 1 from changed
    {%- endset %}
    {{ changed_dates_filter('production_date', changed_dates) }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        round({{ exact_sum('energy_kwh') }}, 6) as energy_kwh,
        (select energy_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from readings
    group by plant_id, line_id, equipment_id, production_date, shift_code
)

select * from final
