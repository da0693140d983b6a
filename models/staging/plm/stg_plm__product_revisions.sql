with source as (
    select * from {{ source('plm', 'product_revisions') }}
),

latest as (
    select * from source
    {{ latest_extract(['product_id', 'revision']) }}
),

final as (
    select
        nullif(trim(product_id), '') as product_id,
        upper(nullif(trim(revision), '')) as revision,
        upper(nullif(trim(status), '')) as status,
        released_at,
        released_at_utc_offset_min,
        nullif(trim(description), '') as description,
        _load_id,
        _source_file,
        _source_row
    from latest
)

select * from final
