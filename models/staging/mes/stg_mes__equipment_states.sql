-- A table, not a view: the dedup runs once per build, not once per consumer and test.
{{ config(materialized='table') }}

with source as (
    select * from {{ source('mes', 'equipment_states') }}
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
