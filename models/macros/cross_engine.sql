{#- SQL that DuckDB and Spark spell differently: default__ is DuckDB's (the SQL Andon had),
    spark__ gives the same values on Spark. Models call the plain macro. -#}

{#- A UTC wall-clock timestamp as wall-clock time in the IANA time zone `tz`. -#}
{% macro utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('utc_to_local', 'andon')(ts, tz)) }}
{%- endmacro %}

{% macro default__utc_to_local(ts, tz) -%}
    timezone({{ tz }}, timezone('UTC', {{ ts }}))
{%- endmacro %}

{% macro spark__utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{#- A timestamp as seconds since 1970-01-01 (a double with the microseconds). -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'andon')(ts)) }}
{%- endmacro %}

{% macro default__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}

{% macro spark__epoch_seconds(ts) -%}
    cast({{ ts }} as double)
{%- endmacro %}

{#- A sum of doubles that does not depend on the order of the rows (exact, then a double). -#}
{% macro exact_sum(column) -%}
    {{ return(adapter.dispatch('exact_sum', 'andon')(column)) }}
{%- endmacro %}

{% macro default__exact_sum(column) -%}
    fsum({{ column }})
{%- endmacro %}

{% macro spark__exact_sum(column) -%}
    cast(sum(cast({{ column }} as decimal(38, 18))) as double)
{%- endmacro %}

{#- A generator (in a select list) of one row per day offset 0, 1, … from `from_date` to
    `to_date`; no row when `to_date` is before `from_date` or either is NULL. -#}
{% macro day_offsets(from_date, to_date) -%}
    {%- set first, last = '(' ~ from_date ~ ')', '(' ~ to_date ~ ')' -%}
    {{ return(adapter.dispatch('day_offsets', 'andon')(first, last)) }}
{%- endmacro %}

{% macro default__day_offsets(from_date, to_date) -%}
    unnest(range(0, {{ dbt.datediff(from_date, to_date, 'day') }} + 1))
{%- endmacro %}

{% macro spark__day_offsets(from_date, to_date) -%}
    explode(case
        when {{ dbt.datediff(from_date, to_date, 'day') }} >= 0
            then sequence(0, {{ dbt.datediff(from_date, to_date, 'day') }})
    end)
{%- endmacro %}

{#- A 'HH:MM' time of day as what a date adds to for a timestamp on that date (and what
    compares like the time): a TIME on DuckDB, an interval since midnight on Spark. -#}
{% macro time_of_day(text) -%}
    {{ return(adapter.dispatch('time_of_day', 'andon')(text)) }}
{%- endmacro %}

{% macro default__time_of_day(text) -%}
    {{ text }}::time
{%- endmacro %}

{% macro spark__time_of_day(text) -%}
    (cast(concat('1970-01-01 ', {{ text }}) as timestamp) - timestamp '1970-01-01 00:00:00')
{%- endmacro %}

{#- Minute boundaries crossed from one 'HH:MM' time of day to another (negative backwards). -#}
{% macro minutes_between_times(start_text, end_text) -%}
    {{ return(adapter.dispatch('minutes_between_times', 'andon')(start_text, end_text)) }}
{%- endmacro %}

{% macro default__minutes_between_times(start_text, end_text) -%}
    date_diff('minute', {{ start_text }}::time, {{ end_text }}::time)
{%- endmacro %}

{% macro spark__minutes_between_times(start_text, end_text) -%}
    (
        unix_seconds(cast(concat('1970-01-01 ', {{ end_text }}) as timestamp)) div 60
        - unix_seconds(cast(concat('1970-01-01 ', {{ start_text }}) as timestamp)) div 60
    )
{%- endmacro %}

{#- Integer division rounding down (DuckDB's `//`). -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'andon')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    ({{ dividend }}) // ({{ divisor }})
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    floor(({{ dividend }}) / ({{ divisor }}))
{%- endmacro %}

{#- ISO day of the week: 1 = Monday … 7 = Sunday. -#}
{% macro iso_day_of_week(day) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'andon')(day)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(day) -%}
    isodow({{ day }})
{%- endmacro %}

{% macro spark__iso_day_of_week(day) -%}
    extract(dow_iso from {{ day }})
{%- endmacro %}

{#- The year a day's ISO week belongs to (1 January can be in week 52/53 of the year before). -#}
{% macro iso_year(day) -%}
    {{ return(adapter.dispatch('iso_year', 'andon')(day)) }}
{%- endmacro %}

{% macro default__iso_year(day) -%}
    isoyear({{ day }})
{%- endmacro %}

{% macro spark__iso_year(day) -%}
    extract(yearofweek from {{ day }})
{%- endmacro %}

{#- arg_max/arg_min of DuckDB skip rows whose value is NULL, Spark's max_by/min_by do not:
    these skip them on both (a NULL ordering key is skipped by both). -#}
{% macro max_by_non_null(value, key) -%}
    max_by({{ value }}, case when {{ value }} is not null then {{ key }} end)
{%- endmacro %}

{% macro min_by_non_null(value, key) -%}
    min_by({{ value }}, case when {{ value }} is not null then {{ key }} end)
{%- endmacro %}
