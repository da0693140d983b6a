-- A table, not a view: the dedup runs once per build, not once per consumer and test.
{{ config(materialized='table') }}

with source as (
    select * from {{ source('scada', 'meter_readings') }}
),

latest as (
    select * from source
    {{ latest_extract(['equipment_id', 'interval_start']) }}
),

final as (
    select
        nullif(trim(equipment_id), '') as equipment_id,
        interval_start,
        interval_start_utc_offset_min,
        interval_minutes,
        energy_kwh,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
