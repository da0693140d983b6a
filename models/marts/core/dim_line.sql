with equipment as (
    select * from {{ ref('stg_mes__equipment') }}
),

lines as (
    select
        line_id,
        {{ max_by_non_null('coalesce(line_name, line_id)', '_load_id * 1000000000 + _source_row') }}
            as line_name,
        {{ max_by_non_null('plant_id', '_load_id * 1000000000 + _source_row') }} as plant_id
    from equipment
    group by line_id
),

final as (
    select
        line_id,
        {{ name_en('line_name') }} as line_name_en,
        {{ name_zh('line_name') }} as line_name_zh,
        plant_id
    from lines
)

select * from final
