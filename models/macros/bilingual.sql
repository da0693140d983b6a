{#- Bilingual names: "Suzhou Plant / 苏州工厂" splits at " / " into en and zh; a value in one
    language only fills both. -#}
{% macro name_en(column) -%}
    trim(split_part({{ column }}, ' / ', 1))
{%- endmacro %}

{% macro name_zh(column) -%}
    coalesce(nullif(trim(split_part({{ column }}, ' / ', 2)), ''), trim({{ column }}))
{%- endmacro %}
