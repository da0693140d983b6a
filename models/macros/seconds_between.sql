{#- Whole and fractional seconds from one timestamp to another, as a double. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    ({{ epoch_seconds(end_ts) }} - {{ epoch_seconds(start_ts) }})::double
{%- endmacro %}

{#- A ratio of sums that is NULL (never 0, never an error) when the denominator is 0. -#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }})::double / nullif(({{ denominator }})::double, 0)
{%- endmacro %}
