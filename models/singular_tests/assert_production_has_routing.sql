{{ config(severity='warn') }}
-- A report of a product without a routing on its equipment has no ideal cycle time (PRI):
-- its quantities count, its ideal time does not. Flagged, never dropped.
select report_id, equipment_id, product_id
from {{ ref('int_production_reports_attributed') }}
where ideal_cycle_time_s is null
