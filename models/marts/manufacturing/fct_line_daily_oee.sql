-- OEE per line and production date: sums of the equipment-shift time model and the
-- ratios of those sums (never an average of per-machine ratios).
with equipment_shifts as (
    select * from {{ ref('fct_equipment_shifts') }}
),

sums as (
    select
        plant_id,
        line_id,
        production_date,
        sum(pbt_s) as pbt_s,
        sum(apt_s) as apt_s,
        round(fsum(ideal_produced_s), 6) as ideal_produced_s,
        round(fsum(ideal_good_s), 6) as ideal_good_s,
        sum(produced_qty) as produced_qty,
        sum(good_qty) as good_qty
    from equipment_shifts
    group by plant_id, line_id, production_date
),

final as (
    select
        *,
        {{ safe_divide('apt_s', 'pbt_s') }} as availability,
        {{ safe_divide('ideal_produced_s', 'apt_s') }} as performance,
        {{ safe_divide('ideal_good_s', 'ideal_produced_s') }} as quality,
        {{ safe_divide('ideal_good_s', 'pbt_s') }} as oee
    from sums
)

select * from final
