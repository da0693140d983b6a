{#- Incremental facts keep `_max_load_id`: the newest raw load reflected when they were
    built (from int_load_watermarks_computed). A later build reprocesses only the dates
    touched by rows loaded after it; see int_manufacturing_dates_touched. -#}

{#- On Spark a fact is partitioned by its date key and rebuilt with insert_overwrite: the
    partitions of the dates a build selects are replaced, as delete+insert on the key does. -#}
{% macro partitioned_on_spark(date_column) -%}
    {{ return([date_column] if target.type == 'spark' else none) }}
{%- endmacro %}

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

{#- The rows of an incremental fact to rebuild: `column` in the dates that `dates_sql` (one
    date column) returns, rendered as a list of date literals. The list is known when the
    model compiles, so the filter is a plain predicate the scan of the intermediate table
    can use (zone maps), not a semi-join with a query. Renders `prefix true` on a full
    build. -#}
{% macro changed_dates_filter(column, dates_sql, prefix='where') -%}
    {%- if is_incremental() -%}
        {%- set dates = [] -%}
        {%- if execute -%}
            {%- set dates = run_query(
                'select distinct d from (' ~ dates_sql ~ ') as changed(d) where d is not null order by d'
            ).columns[0].values() -%}
        {%- endif -%}
        {{ prefix }} {{ column }} in (
            {%- for day in dates %}date '{{ day }}'{% if not loop.last %}, {% endif %}{% else %}null{% endfor -%}
        )
    {%- else -%}
        {{ prefix }} true
    {%- endif -%}
{%- endmacro %}

{#- The manufacturing facts' dates to rebuild: those touched by raw rows loaded after the
    load the fact reflects (int_manufacturing_dates_touched; a master-data change touches all). -#}
{% macro manufacturing_dates_filter(column='production_date', prefix='where') -%}
    {{ changed_dates_filter(column,
        'select production_date from ' ~ ref('int_manufacturing_dates_touched')
        ~ ' where _load_id > ' ~ previous_load_id(), prefix) }}
{%- endmacro %}
