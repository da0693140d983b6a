{#- Staging and row-wise intermediate models incremental by load.

    Every row of such a model comes from one raw row and keeps its `_load_id`. Load ids only
    grow, and a key's newest load wins (latest_extract), so a build only has to look at the
    rows of loads newer than the newest one the model holds (`reflected_load_id`): they
    replace their keys (delete+insert on the key). Two things can take a row away instead:
    a re-delivered file supersedes its earlier load (ingest deletes that load's raw rows and
    marks it SUPERSEDED) — the model then recomputes the keys it held from that load (an
    earlier extract of the key may win again) and drops the keys no extract holds any more
    (`drop_superseded_rows`, a post-hook) — and a change of the master data a model joins,
    which reprocesses every row. A `--full-refresh` gives the same table. -#}

{#- Spark's Parquet tables have no delete: a newer extract replaces its key's row wherever it
    sits, so there such a model is a table, rebuilt whole by every build. -#}
{% macro by_load_materialized() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- The newest `_load_id` the model holds (-1 when empty or not built yet), as a literal so
    that scans of the input can skip older row groups. -#}
{% macro reflected_load_id() -%}
    {%- if execute and is_incremental() -%}
        {{ run_query('select coalesce(max(_load_id), -1) from ' ~ this).columns[0].values()[0] }}
    {%- else -%}
        -1
    {%- endif -%}
{%- endmacro %}

{% macro superseded_load_ids() -%}
    (select load_id from {{ source('ingest', 'load_log') }} where status = 'SUPERSEDED')
{%- endmacro %}

{#- Does the model hold rows of a load that has since been superseded? -#}
{% macro holds_superseded_rows() -%}
    {%- if execute and is_incremental() -%}
        {%- set found = run_query(
            'select count(*) from ' ~ this ~ ' where _load_id in ' ~ superseded_load_ids()
        ).columns[0].values()[0] -%}
        {{- return(found > 0) -}}
    {%- endif -%}
    {{- return(false) -}}
{%- endmacro %}

{#- Has master data the model joins (raw entities, by name) landed rows in a load newer than
    the model reflects? Read from the load log, so the model needs no ref to them. -#}
{% macro master_changed(entities) -%}
    {%- if execute and is_incremental() and entities -%}
        {%- set newest = run_query(
            "select coalesce(max(load_id), -1) from ingest.load_log where rows_landed > 0"
            ~ " and entity in ('" ~ entities | join("', '") ~ "')"
        ).columns[0].values()[0] -%}
        {%- set held = run_query('select coalesce(max(_load_id), -1) from ' ~ this).columns[0].values()[0] -%}
        {{- return(newest > held) -}}
    {%- endif -%}
    {{- return(false) -}}
{%- endmacro %}

{#- The rows of `relation` (raw, or the model upstream) that a build must (re)process: on a
    full build all; else those of newer loads, plus every row of the keys the model held
    from a superseded load; all of them after a change of `master` entities. -#}
{% macro rows_to_process(relation, key_columns, master=[]) -%}
    {%- if is_incremental() and not master_changed(master) -%}
        {%- set reflected = reflected_load_id() %}
        select * from {{ relation }}
        where _load_id > {{ reflected }}
        {%- if holds_superseded_rows() %}
        union all
        select changed.* from {{ relation }} as changed
        semi join (
            select distinct {{ key_columns | join(', ') }} from {{ this }}
            where _load_id in {{ superseded_load_ids() }}
        ) as gone
            on {% for key in key_columns -%}
                changed.{{ key }} = gone.{{ key }}{% if not loop.last %} and {% endif %}
            {%- endfor %}
        where changed._load_id <= {{ reflected }}
        {%- endif %}
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: the keys whose only extract was superseded (and not delivered again) leave. -#}
{% macro drop_superseded_rows() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where _load_id in {{ superseded_load_ids() }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: after a change of the master data every row is processed again, and rows that
    no longer join (an equipment taken out) must not stay behind. -#}
{% macro clear_on_master_change(master) -%}
    {%- if master_changed(master) -%}
        delete from {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
