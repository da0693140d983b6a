with source as (
    select * from {{ source('aps', 'schedule_versions') }}
),

latest as (
    select * from source
    {{ latest_extract(['plan_version']) }}
),

final as (
    select
        nullif(trim(plan_version), '') as plan_version,
        nullif(trim(plant_id), '') as plant_id,
        published_at,
        published_at_utc_offset_min,
        horizon_start,
        horizon_start_utc_offset_min,
        horizon_end,
        horizon_end_utc_offset_min,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
