{#- The one rule for attributing an event to a shift: it belongs to the shift in which it
    ends, shift_start < ended_at <= shift_end (KPIS.md: a production report belongs to the
    shift in which it ends). A meter reading ends with its interval, an inspection at the
    moment it is made. Renders a query over every row of `events` (a CTE with `plant_id`
    and the `ended_at` column) plus the `production_date` and `shift_code` of that shift of
    `shifts` (int_shifts_expanded_by_date), both NULL when it ends outside every shift.

    A shift lasts at most a day and belongs to the date on which it starts, so an event can
    only end in a shift of its own date or of the day before (one crossing midnight): two
    equi-joins on those dates, not a join with every shift. -#}
{% macro attribute_to_shift(events, shifts, ended_at) -%}
    select
        {{ events }}.*,
        coalesce(shift_of_day_before.production_date, shift_of_same_day.production_date)
            as production_date,
        coalesce(shift_of_day_before.shift_code, shift_of_same_day.shift_code) as shift_code
    from {{ events }}
    left join {{ shifts }} as shift_of_day_before
        on {{ events }}.plant_id = shift_of_day_before.plant_id
        and cast({{ events }}.{{ ended_at }} as date) - 1 = shift_of_day_before.production_date
        and {{ events }}.{{ ended_at }} > shift_of_day_before.shift_start
        and {{ events }}.{{ ended_at }} <= shift_of_day_before.shift_end
    left join {{ shifts }} as shift_of_same_day
        on {{ events }}.plant_id = shift_of_same_day.plant_id
        and cast({{ events }}.{{ ended_at }} as date) = shift_of_same_day.production_date
        and {{ events }}.{{ ended_at }} > shift_of_same_day.shift_start
        and {{ events }}.{{ ended_at }} <= shift_of_same_day.shift_end
{%- endmacro %}
