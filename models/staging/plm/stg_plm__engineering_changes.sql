-- Timestamps stay as the PLM wrote them (wall clock, with their offset in *_utc_offset_min):
-- one PLM serves every plant on one clock, and ECO durations are read on that clock.
with source as (
    select * from {{ source('plm', 'engineering_changes') }}
),

latest as (
    select * from source
    {{ latest_extract(['eco_id']) }}
),

final as (
    select
        nullif(trim(eco_id), '') as eco_id,
        nullif(trim(product_id), '') as product_id,
        upper(nullif(trim(from_revision), '')) as from_revision,
        upper(nullif(trim(to_revision), '')) as to_revision,
        upper(nullif(trim(reason_code), '')) as reason_code,
        nullif(trim(reason_text), '') as reason_text,
        upper(nullif(trim(priority), '')) as priority,
        created_at,
        created_at_utc_offset_min,
        approved_at,
        approved_at_utc_offset_min,
        effective_date,
        closed_at,
        closed_at_utc_offset_min,
        upper(nullif(trim(status), '')) as status,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
