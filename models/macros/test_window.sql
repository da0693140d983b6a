{#- Tests of an incremental build look only at the rows it changed.

    `andon build` writes andon_meta.test_window before dbt runs: the newest load the last
    passed build had seen, or -1 (test everything) on a full refresh, the first build or a
    change of the project's code. A generic test on an incremental model names what it may
    skip with a placeholder in its `where` config, replaced here when the test runs:

      __new_loads__   rows of loads newer than the window (`_load_id`, models incremental
                      by load)
      __rebuilt__     rows rebuilt by this build (`_max_load_id`, the incremental facts)

    A master-data load since the window means: test everything (every row of the models
    joining it was rebuilt). A key a superseded load gives back to an earlier extract gets
    that extract's row again, tested when it landed. A plain `dbt build` (no window table)
    tests everything. -#}

{% macro test_window_load_id() -%}
    {%- if not execute -%}{{ return(-1) }}{%- endif -%}
    {%- set window = adapter.get_relation(database=target.database, schema='andon_meta', identifier='test_window') -%}
    {%- if window is none -%}{{ return(-1) }}{%- endif -%}
    {%- set master = ['plants', 'equipment', 'routings', 'shifts', 'defect_codes', 'materials',
        'customers', 'suppliers', 'warehouses'] -%}
    {%- set sql -%}
        select case
            when exists (
                select 1 from ingest.load_log as log
                where log.load_id > test_window.since_load_id
                    and log.rows_landed > 0
                    and log.entity in ('{{ master | join("', '") }}')
            ) then -1
            else test_window.since_load_id
        end
        from {{ window }} as test_window
    {%- endset -%}
    {%- set rows = run_query(sql).columns[0].values() -%}
    {{ return(rows[0] if rows and rows[0] is not none else -1) }}
{%- endmacro %}

{#- The rows a singular test checks: `true` on a full build, else `column > window`. -#}
{% macro in_test_window(column='_max_load_id') -%}
    {%- set since = test_window_load_id() -%}
    {%- if since < 0 -%}true{%- else -%}{{ column }} > {{ since }}{%- endif -%}
{%- endmacro %}

{#- dbt's hook for a test's `where` config (docs: "where" config, custom placeholders). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- if '__new_loads__' in where or '__rebuilt__' in where -%}
            {%- set since = test_window_load_id() -%}
            {%- if since < 0 -%}{{ return(relation) }}{%- endif -%}
            {%- set where = where | replace('__new_loads__', '_load_id > ' ~ since)
                | replace('__rebuilt__', '_max_load_id > ' ~ since) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- `true` when a singular test checks the whole history (a full build), else `false`. -#}
{% macro test_whole_history() -%}
    {{ 'true' if test_window_load_id() < 0 else 'false' }}
{%- endmacro %}
