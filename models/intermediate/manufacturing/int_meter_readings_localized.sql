-- SCADA meter readings in plant-local time (SCADA usually writes UTC).
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['equipment_id', '_source_interval_start'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['equipment', 'plants']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with readings as (
    {{ rows_to_process('(select *, interval_start as _source_interval_start from ' ~ ref('stg_scada__meter_readings') ~ ')', ['equipment_id', '_source_interval_start'], ['equipment', 'plants']) }}
),

equipment as (
    select * from {{ ref('int_equipment_located') }}
),

localized as (
    select
        readings.equipment_id,
        equipment.plant_id,
        equipment.line_id,
        {{ to_plant_local(
            'readings.interval_start', 'readings.interval_start_utc_offset_min', 'equipment.timezone'
        ) }} as interval_start,
        readings.interval_minutes,
        readings.energy_kwh,
        readings._source_interval_start,
        readings._load_id
    from readings
    inner join equipment
        on readings.equipment_id = equipment.equipment_id
),

final as (
    select
        *,
        interval_start + interval_minutes * interval '1 minute' as interval_end,
        cast(interval_start as date) as reading_date
    from localized
)

select * from final
