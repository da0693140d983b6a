-- The newest data date: the latest plant-local event date over all transactional extracts.
with event_dates as (
    select max(coalesce(end_ts, start_ts))::date as event_date
    from {{ ref('int_equipment_states_localized') }}
    union all
    select max(end_ts)::date from {{ ref('int_production_reports_localized') }}
    union all
    select max(interval_start)::date from {{ ref('int_meter_readings_localized') }}
    union all
    select max(movement_ts)::date from {{ ref('int_inventory_movements_localized') }}
    union all
    select max(shipped_at)::date from {{ ref('int_shipments_localized') }}
    union all
    select max(snapshot_date) from {{ ref('stg_wms__stock_snapshots') }}
    union all
    select max(order_date) from {{ ref('stg_erp__sales_order_lines') }}
    union all
    select max(order_date) from {{ ref('stg_erp__purchase_order_lines') }}
),

final as (
    select max(event_date) as as_of_date
    from event_dates
)

select * from final
