with source as (
    select * from {{ source('mes', 'defect_codes') }}
),

latest as (
    select * from source
    {{ latest_extract(['defect_code']) }}
),

final as (
    select
        nullif(trim(defect_code), '') as defect_code,
        nullif(trim(description), '') as description,
        nullif(trim(description_zh), '') as description_zh,
        nullif(trim(category), '') as category,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
