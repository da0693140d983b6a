-- Shipment lines in plant-local time (the shipping warehouse's plant).
-- Incremental by load (macros/incremental_by_load.sql), keyed like the raw extract.
{{ config(
    materialized=by_load_materialized(),
    incremental_strategy='delete+insert',
    unique_key=['shipment_id', 'order_id', 'line_no'],
    on_schema_change='fail',
    pre_hook="{{ clear_on_master_change(['warehouses', 'plants']) }}",
    post_hook="{{ drop_superseded_rows() }}",
) }}

with shipments as (
    {{ rows_to_process(ref('stg_wms__shipments'), ['shipment_id', 'order_id', 'line_no'], ['warehouses', 'plants']) }}
),

warehouses as (
    select * from {{ ref('int_warehouses_located') }}
),

localized as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.line_no,
        shipments.material_id,
        shipments.warehouse_id,
        warehouses.plant_id,
        coalesce(
            {{ to_plant_local('shipments.shipped_at', 'shipments.shipped_at_utc_offset_min', 'warehouses.timezone') }},
            shipments.shipped_at
        ) as shipped_at,
        shipments.shipped_qty,
        shipments._load_id
    from shipments
    left join warehouses
        on shipments.warehouse_id = warehouses.warehouse_id
),

final as (
    select
        *,
        shipped_at::date as shipped_date
    from localized
)

select * from final
