-- One row per calendar day from the earliest to the latest date in the data; the as-of
-- date (the newest plant-local event date) is always inside the span and flagged.
{% set fiscal_start = var('fiscal_year_start_month', 1) | int %}

with as_of as (
    select * from {{ ref('int_as_of_dates_computed') }}
),

data_dates as (
    select min(start_ts)::date as first_date, max(effective_end_ts)::date as last_date
    from {{ ref('int_equipment_states_localized') }}
    union all
    select min(end_ts)::date, max(end_ts)::date
    from {{ ref('int_production_reports_localized') }}
    union all
    select min(reading_date), max(reading_date)
    from {{ ref('int_meter_readings_localized') }}
    union all
    select min(movement_date), max(movement_date)
    from {{ ref('int_inventory_movements_localized') }}
    union all
    select min(shipped_date), max(shipped_date)
    from {{ ref('int_shipments_localized') }}
    union all
    select min(order_date), max(greatest(promised_date, requested_date))
    from {{ ref('stg_erp__sales_order_lines') }}
    union all
    select min(order_date), max(promised_date)
    from {{ ref('stg_erp__purchase_order_lines') }}
    union all
    select min(snapshot_date), max(snapshot_date)
    from {{ ref('stg_wms__stock_snapshots') }}
    union all
    select min(planned_start)::date, max(planned_end)::date
    from {{ ref('stg_mes__work_orders') }}
    union all
    select as_of_date, as_of_date
    from as_of
),

date_span as (
    select
        coalesce(min(first_date), current_date) as first_date,
        coalesce(max(last_date), current_date) as last_date
    from data_dates
),

days as (
    select (first_date + day_offset::integer)::date as date_day
    from (
        select first_date, {{ day_offsets('first_date', 'last_date') }} as day_offset
        from date_span
    ) as day_offsets
),

final as (
    select
        days.date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        date_trunc('month', date_day)::date as month_start,
        {{ iso_year('date_day') }} as iso_year,
        weekofyear(date_day) as iso_week,
        date_trunc('week', date_day)::date as week_start,
        {{ iso_day_of_week('date_day') }} as day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend,
        {%- if fiscal_start == 1 %}
        year(date_day) as fiscal_year,
        quarter(date_day) as fiscal_quarter,
        {%- else %}
        year(date_day) + case when month(date_day) >= {{ fiscal_start }} then 1 else 0 end
            as fiscal_year,
        {{ integer_divide('(month(date_day) - ' ~ fiscal_start ~ ' + 12) % 12', 3) }} + 1
            as fiscal_quarter,
        {%- endif %}
        coalesce(days.date_day = as_of.as_of_date, false) as is_as_of_date
    from days
    cross join as_of
)

select * from final
