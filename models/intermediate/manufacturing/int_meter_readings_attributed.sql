-- Meter readings attributed to the shift in which their interval ends (attribute_to_shift);
-- outside every shift the shift is NULL and the production date is the reading's local
-- date (the date its interval starts on).
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['equipment_id', '_source_interval_start'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['equipment', 'plants', 'shifts']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with readings as (
    {{ rows_to_process(ref('int_meter_readings_localized'), ['equipment_id', '_source_interval_start'], ['equipment', 'plants', 'shifts']) }}
),

shift_windows as (
    select * from {{ ref('int_shifts_expanded_by_date') }}
),

attributed as (
    {{ attribute_to_shift('readings', 'shift_windows', 'interval_end') }}
),

final as (
    select
        plant_id,
        line_id,
        equipment_id,
        interval_start,
        interval_end,
        coalesce(production_date, reading_date) as production_date,
        shift_code,
        reading_date,
        energy_kwh,
        _source_interval_start,
        _load_id
    from attributed
)

select * from final
