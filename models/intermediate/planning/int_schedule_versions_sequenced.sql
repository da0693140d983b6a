-- Published schedule versions in plant-local time, each with the plant's previous version
-- (the one its frozen-window changes are counted against) and the plant-local dates it is
-- the frozen plan of: the dates whose start it is the latest version published before
-- (KPIS.md "Planning (APS)"), up to the next version's date, or for the plant's newest
-- version up to the newest production date reported (a plan for dates with no actuals yet
-- has nothing to attain).
with versions as (
    select * from {{ ref('stg_aps__schedule_versions') }}
),

plants as (
    select * from {{ ref('stg_mes__plants') }}
),

newest_production as (
    select max(production_date) as last_production_date
    from {{ ref('int_production_reports_attributed') }}
),

localized as (
    select
        versions.plan_version,
        versions.plant_id,
        {{ to_plant_local('versions.published_at', 'versions.published_at_utc_offset_min', 'plants.timezone') }}
            as published_at,
        {{ to_plant_local('versions.horizon_start', 'versions.horizon_start_utc_offset_min', 'plants.timezone') }}
            as horizon_start,
        {{ to_plant_local('versions.horizon_end', 'versions.horizon_end_utc_offset_min', 'plants.timezone') }}
            as horizon_end
    from versions
    left join plants
        on versions.plant_id = plants.plant_id
),

sequenced as (
    select
        *,
        lag(plan_version) over (
            partition by plant_id order by published_at, plan_version
        ) as previous_plan_version,
        lead(published_at) over (
            partition by plant_id order by published_at, plan_version
        ) as next_published_at
    from localized
),

final as (
    select
        sequenced.plan_version,
        sequenced.plant_id,
        sequenced.published_at,
        cast(sequenced.published_at as date) as published_date,
        sequenced.horizon_start,
        sequenced.horizon_end,
        sequenced.previous_plan_version,
        -- Frozen for date d when published before d starts and the next version is not
        -- (published at or after d's midnight): d from the day after publication to the next
        -- version's date; none when the next comes the same day.
        cast(sequenced.published_at as date) + 1 as frozen_from_date,
        coalesce(
            cast(sequenced.next_published_at as date),
            newest_production.last_production_date
        ) as frozen_to_date
    from sequenced
    cross join newest_production
)

select * from final
