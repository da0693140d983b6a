-- One row: the newest raw load feeding each family of incremental facts, and the newest
-- load of the master data they depend on (a master data change rebuilds every date).
{%- set manufacturing_master = [ref('stg_mes__plants'), ref('stg_mes__equipment'),
    ref('stg_mes__shifts'), ref('stg_mes__routings'), ref('stg_erp__materials')] %}
{%- set energy_master = [ref('stg_mes__plants'), ref('stg_mes__equipment'), ref('stg_mes__shifts')] %}
{%- set inventory_master = [ref('stg_wms__warehouses'), ref('stg_erp__materials')] %}

with final as (
    select
        {{ max_load_id(manufacturing_master + [ref('stg_mes__equipment_states'),
            ref('stg_mes__production_reports')]) }} as manufacturing_load_id,
        {{ max_load_id(manufacturing_master) }} as manufacturing_master_load_id,
        {{ max_load_id(energy_master + [ref('stg_scada__meter_readings')]) }} as energy_load_id,
        {{ max_load_id(energy_master) }} as energy_master_load_id,
        {{ max_load_id(inventory_master + [ref('stg_wms__stock_snapshots')]) }} as inventory_load_id,
        {{ max_load_id(inventory_master) }} as inventory_master_load_id
)

select * from final
