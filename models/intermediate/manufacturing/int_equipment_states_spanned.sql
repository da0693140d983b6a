-- Per equipment, the span its state data covers: from the first state record to the as-of
-- time (end of the newest state data). Shift time only counts inside this span.
with states as (
    select * from {{ ref('int_equipment_states_localized') }}
),

final as (
    select
        equipment_id,
        any_value(plant_id) as plant_id,
        any_value(line_id) as line_id,
        min(first_state_ts) as first_state_ts,
        max(as_of_ts) as as_of_ts
    from states
    group by equipment_id
)

select * from final
