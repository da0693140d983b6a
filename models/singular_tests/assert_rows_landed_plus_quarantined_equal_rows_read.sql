-- For every file in the ingest log: rows read = rows landed + rows quarantined; and for
-- every file still LANDED, its rows are in raw and its quarantined rows in the quarantine.
{%- set raw_tables = [] %}
{%- for node in graph.sources.values() if node.schema == 'raw' %}
    {%- do raw_tables.append(source(node.source_name, node.name)) %}
{%- endfor %}

with load_log as (
    select * from {{ source('ingest', 'load_log') }}
),

raw_rows as (
    {%- for relation in raw_tables %}
    select _load_id as load_id, count(*) as rows_in_raw from {{ relation }} group by _load_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

quarantined as (
    select load_id, count(*) as rows_in_quarantine
    from {{ source('ingest', 'quarantine') }}
    group by load_id
)

select
    load_log.load_id,
    load_log.file,
    load_log.status,
    load_log.rows_read,
    load_log.rows_landed,
    load_log.rows_quarantined,
    raw_rows.rows_in_raw,
    quarantined.rows_in_quarantine
from load_log
left join raw_rows
    on load_log.load_id = raw_rows.load_id
left join quarantined
    on load_log.load_id = quarantined.load_id
where load_log.rows_read is distinct from load_log.rows_landed + load_log.rows_quarantined
    or (
        load_log.status = 'LANDED'
        and (
            coalesce(raw_rows.rows_in_raw, 0) <> load_log.rows_landed
            or coalesce(quarantined.rows_in_quarantine, 0) <> load_log.rows_quarantined
        )
    )
