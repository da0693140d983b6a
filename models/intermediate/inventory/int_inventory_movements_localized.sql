-- Inventory movements in plant-local time (the warehouse's plant).
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['movement_id'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['warehouses', 'plants']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with movements as (
    {{ rows_to_process(ref('stg_wms__inventory_movements'), ['movement_id'], ['warehouses', 'plants']) }}
),

warehouses as (
    select * from {{ ref('int_warehouses_located') }}
),

localized as (
    select
        movements.movement_id,
        coalesce(
            {{ to_plant_local('movements.movement_ts', 'movements.movement_ts_utc_offset_min', 'warehouses.timezone') }},
            movements.movement_ts
        ) as movement_ts,
        movements.warehouse_id,
        warehouses.plant_id,
        movements.material_id,
        movements.movement_type,
        movements.qty,
        movements.lot_id,
        movements.reference_type,
        movements.reference_id,
        movements.reference_line,
        movements._load_id
    from movements
    left join warehouses
        on movements.warehouse_id = warehouses.warehouse_id
),

final as (
    select
        *,
        movement_ts::date as movement_date
    from localized
)

select * from final
