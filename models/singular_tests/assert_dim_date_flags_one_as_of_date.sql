-- dim_date flags exactly one day as the as-of date whenever there is data (the as-of date
-- is not NULL), and that day is the as-of date.
with as_of as (
    select * from {{ ref('int_as_of_dates_computed') }}
),

flagged as (
    select
        count(*) as flagged_days,
        min(date_day) as flagged_date
    from {{ ref('dim_date') }}
    where is_as_of_date
),

final as (
    select
        as_of.as_of_date,
        flagged.flagged_days,
        flagged.flagged_date
    from as_of
    cross join flagged
    where as_of.as_of_date is not null
        and (flagged.flagged_days <> 1 or flagged.flagged_date <> as_of.as_of_date)
)

select * from final
