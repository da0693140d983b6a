with inspections as (
    select * from {{ ref('int_quality_inspections_attributed') }}
),

materials as (
    select * from {{ ref('stg_erp__materials') }}
),

final as (
    select
        inspections.inspection_id,
        inspections.inspected_at,
        inspections.inspected_date,
        inspections.plant_id,
        inspections.line_id,
        inspections.equipment_id,
        inspections.shift_code,
        inspections.production_date,
        inspections.product_id,
        materials.product_family,
        inspections.lot_id,
        inspections.work_order_id,
        inspections.characteristic,
        inspections.measured_value,
        inspections.lsl,
        inspections.usl,
        inspections.result,
        (inspections.result = 'PASS')::int as is_pass,
        inspections.defect_code,
        inspections.defect_qty
    from inspections
    left join materials
        on inspections.product_id = materials.material_id
)

select * from final
