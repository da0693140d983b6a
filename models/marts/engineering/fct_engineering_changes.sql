-- One row per engineering change (latest extract), with its lead times (KPIS.md
-- eco_approval_days, eco_effect_days; as change_truth.change_durations). Times are the PLM's
-- wall clock as written: one PLM serves every plant, so a change has no plant.
with changes as (
    select * from {{ ref('stg_plm__engineering_changes') }}
),

final as (
    select
        eco_id,
        product_id,
        from_revision,
        to_revision,
        reason_code,
        reason_text,
        priority,
        status,
        created_at,
        approved_at,
        effective_date,
        closed_at,
        cast(created_at as date) as created_date,
        cast(approved_at as date) as approved_date,
        case when approved_at is not null then 1 else 0 end as is_approved,
        -- days from created_at to approved_at
        ({{ epoch_seconds('approved_at') }} - {{ epoch_seconds('created_at') }}) / 86400.0
            as approval_days,
        -- effective from the start of effective_date once APPROVED or IMPLEMENTED
        case
            when status in ('APPROVED', 'IMPLEMENTED') and effective_date is not null then 1
            else 0
        end as is_effective,
        -- days from approved_at to effective_date's midnight (on approved_at's clock)
        (
            {{ epoch_seconds('cast(effective_date as timestamp)') }}
            - {{ epoch_seconds('approved_at') }}
        ) / 86400.0 as effect_days
    from changes
)

select * from final
