{#- The latest extract of a key wins: newest load first, then the last row within a file. -#}
{% macro latest_extract(key_columns) -%}
    qualify row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by _load_id desc, _source_row desc
    ) = 1
{%- endmacro %}
