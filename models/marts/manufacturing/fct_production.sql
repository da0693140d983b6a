{{ config(
    materialized='incremental',
    unique_key='production_date',
    partition_by=partitioned_on_spark('production_date'),
) }}

-- depends_on: {{ ref('int_manufacturing_dates_touched') }}

with reports as (
    select * from {{ ref('int_production_reports_attributed') }}
    where shift_code is not null
    {{ manufacturing_dates_filter(prefix='and') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

per_product as (
    select
        plant_id,
        line_id,
        equipment_id,
        production_date,
        shift_code,
        product_id,
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty,
        sum(scrap_qty) as scrap_qty,
        sum(rework_qty) as rework_qty,
        round({{ exact_sum('ideal_produced_s') }}, 6) as ideal_produced_s,
        round({{ exact_sum('ideal_good_s') }}, 6) as ideal_good_s,
        round({{ exact_sum('ideal_loss_s') }}, 6) as ideal_loss_s
    from reports
    group by plant_id, line_id, equipment_id, production_date, shift_code, product_id
),

final as (
    select
        per_product.plant_id,
        per_product.line_id,
        per_product.equipment_id,
        per_product.production_date,
        per_product.shift_code,
        per_product.product_id,
        materials.product_family,
        per_product.produced_qty,
        per_product.good_qty,
        per_product.scrap_qty,
        per_product.rework_qty,
        per_product.ideal_produced_s,
        per_product.ideal_good_s,
        per_product.ideal_loss_s,
        (select manufacturing_load_id from {{ ref('int_load_watermarks_computed') }}) as _max_load_id
    from per_product
    left join materials
        on per_product.product_id = materials.material_id
)

select * from final
