{#- A source timestamp as plant-local wall-clock time.
    No offset in the source means it was already plant-local (SOURCES.md). -#}
{% macro to_plant_local(ts, offset_minutes, timezone) -%}
    case
        when {{ offset_minutes }} is null then {{ ts }}
        {%- set utc = ts ~ ' - ' ~ offset_minutes ~ "::bigint * interval '1 minute'" %}
        else {{ utc_to_local(utc, timezone) }}
    end
{%- endmacro %}
