{#- Incremental facts keep `_max_load_id`: the newest raw load reflected when they were
    built (from int_load_watermarks). A later build reprocesses only the dates touched by
    rows loaded after it; see int_manufacturing_date_loads. -#}

{% macro previous_load_id() -%}
    (select coalesce(max(_max_load_id), -1) from {{ this }})
{%- endmacro %}

{#- The newest `_load_id` over some relations (-1 when they are empty). -#}
{% macro max_load_id(relations) -%}
    (
        select coalesce(max(_load_id), -1) from (
            {%- for relation in relations %}
            select max(_load_id) as _load_id from {{ relation }}
            {%- if not loop.last %} union all{% endif %}
            {%- endfor %}
        )
    )
{%- endmacro %}
