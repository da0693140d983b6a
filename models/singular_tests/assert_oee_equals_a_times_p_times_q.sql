-- A × P × Q = OEE as ratios of sums at the equipment-shift, line-day and plant-month grains
-- (tolerance 1e-9); rows where a denominator is 0 have NULL ratios and are skipped. An
-- incremental build checks the dates it rebuilt.
with equipment_shifts as (
    select * from {{ ref('fct_equipment_shifts') }}
    where {{ in_test_window() }}
),

line_days as (
    select
        'line-day' as grain,
        line_id || ' ' || production_date as member,
        sum(pbt_s) as pbt_s,
        sum(apt_s) as apt_s,
        sum(ideal_produced_s) as ideal_produced_s,
        sum(ideal_good_s) as ideal_good_s
    from equipment_shifts
    group by line_id, production_date
),

plant_months as (
    select
        'plant-month' as grain,
        plant_id || ' ' || date_trunc('month', production_date) as member,
        sum(pbt_s),
        sum(apt_s),
        sum(ideal_produced_s),
        sum(ideal_good_s)
    from equipment_shifts
    group by plant_id, date_trunc('month', production_date)
),

equipment_shift_rows as (
    select
        'equipment-shift' as grain,
        equipment_id || ' ' || production_date || ' ' || shift_code as member,
        pbt_s,
        apt_s,
        ideal_produced_s,
        ideal_good_s
    from equipment_shifts
),

all_grains as (
    select * from equipment_shift_rows
    union all
    select * from line_days
    union all
    select * from plant_months
),

ratios as (
    select
        grain,
        member,
        {{ safe_divide('apt_s', 'pbt_s') }} as availability,
        {{ safe_divide('ideal_produced_s', 'apt_s') }} as performance,
        {{ safe_divide('ideal_good_s', 'ideal_produced_s') }} as quality,
        {{ safe_divide('ideal_good_s', 'pbt_s') }} as oee
    from all_grains
)

select *
from ratios
where availability is not null
    and performance is not null
    and quality is not null
    and abs(availability * performance * quality - oee) > 1e-9
