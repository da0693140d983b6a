-- Open engineering changes per calendar day and product (KPIS.md open_ecos, counted at the
-- day's end, i.e. the next midnight): created before it, not closed by it (closed_at empty
-- or after it) and not REJECTED or CANCELLED. One row per day of dim_date and product with
-- at least one change (0 allowed); a period's open_ecos is the value on its last day.
with changes as (
    select * from {{ ref('fct_engineering_changes') }}
),

days as (
    select date_day from {{ ref('dim_date') }}
),

products as (
    select distinct product_id from changes
),

grid as (
    select
        days.date_day as snapshot_date,
        products.product_id,
        cast(days.date_day + 1 as timestamp) as day_end
    from days
    cross join products
),

counted as (
    select
        grid.snapshot_date,
        grid.product_id,
        count(changes.eco_id) as open_ecos
    from grid
    left join changes
        on grid.product_id = changes.product_id
        and changes.created_at < grid.day_end
        and (changes.closed_at is null or changes.closed_at > grid.day_end)
        and changes.status not in ('REJECTED', 'CANCELLED')
    group by grid.snapshot_date, grid.product_id
),

final as (
    select * from counted
)

select * from final
