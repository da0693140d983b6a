-- Incremental by load (macros/incremental_by_load.sql): a build dedups only the keys of
-- newly landed (or superseded) extracts, once, not once per consumer and test.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['equipment_id', 'start_ts'],
    on_schema_change='fail',
    post_hook="{{ drop_superseded_rows() }}",
) }}

with source as (
    {{ rows_to_process(source('mes', 'equipment_states'), ['equipment_id', 'start_ts']) }}
),

latest as (
    select * from source
    {{ latest_extract(['equipment_id', 'start_ts']) }}
),

final as (
    select
        nullif(trim(equipment_id), '') as equipment_id,
        start_ts,
        start_ts_utc_offset_min,
        end_ts,
        end_ts_utc_offset_min,
        upper(nullif(trim(state), '')) as state,
        nullif(trim(reason_code), '') as reason_code,
        nullif(trim(reason_text), '') as reason_text,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
