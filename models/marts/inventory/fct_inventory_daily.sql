{{ config(
    materialized='incremental',
    unique_key='snapshot_date',
    partition_by=partitioned_on_spark('snapshot_date'),
) }}

with snapshots as (
    select * from {{ ref('stg_wms__stock_snapshots') }}
    {%- set changed_dates %}
        select snapshot_date from {{ ref('stg_wms__stock_snapshots') }}
        where _load_id > {{ previous_load_id() }}
            or (select inventory_master_load_id from {{ ref('int_load_watermarks_computed') }})
            > {{ previous_load_id() }}
    {%- endset %}
    {{ changed_dates_filter('snapshot_date', changed_dates) }}
),

warehouses as (
    select * from {{ ref('stg_wms__warehouses') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

per_material as (
    select
        snapshot_date,
        warehouse_id,
        material_id,
        round({{ exact_sum('on_hand_qty') }}, 6) as on_hand_qty
    from snapshots
    group by snapshot_date, warehouse_id, material_id
),

final as (
    select
        per_material.snapshot_date,
        warehouses.plant_id,
        per_material.warehouse_id,
        per_material.material_id,
        materials.material_type,
        materials.product_family,
        per_material.on_hand_qty,
        per_material.on_hand_qty * materials.standard_cost as inventory_value,
        (select inventory_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from per_material
    left join warehouses
        on per_material.warehouse_id = warehouses.warehouse_id
    left join materials
        on per_material.material_id = materials.material_id
)

select * from final
