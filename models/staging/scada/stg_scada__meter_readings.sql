-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['equipment_id', 'interval_start'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('scada', 'meter_readings'), ['equipment_id', 'interval_start']) }}
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
