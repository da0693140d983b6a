{#- A source timestamp as plant-local wall-clock time.
    No offset in the source means it was already plant-local (SOURCES.md). -#}
{% macro to_plant_local(ts, offset_minutes, timezone) -%}
    case
        when {{ offset_minutes }} is null then {{ ts }}
        else timezone(
            {{ timezone }},
            timezone('UTC', {{ ts }} - to_minutes({{ offset_minutes }}::bigint))
        )
    end
{%- endmacro %}
