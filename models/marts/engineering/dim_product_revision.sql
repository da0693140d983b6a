-- One row per product and revision (latest extract). is_current_revision flags the
-- product's current revision as of the newest data: the to_revision of its latest change
-- in effect by the as-of date (APPROVED or IMPLEMENTED, effective_date on or before it;
-- SOURCES.md), else - for a product no change has reached yet - its newest RELEASED one.
with revisions as (
    select * from {{ ref('stg_plm__product_revisions') }}
),

changes as (
    select * from {{ ref('fct_engineering_changes') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_computed') }}
),

effective as (
    select
        changes.product_id,
        max_by(changes.to_revision, changes.effective_date) as current_revision
    from changes
    cross join as_of
    where changes.is_effective = 1
        and changes.effective_date <= as_of.as_of_date
    group by changes.product_id
),

released as (
    select
        product_id,
        max(revision) as current_revision
    from revisions
    where status = 'RELEASED'
    group by product_id
),

current_revisions as (
    select
        coalesce(effective.product_id, released.product_id) as product_id,
        coalesce(effective.current_revision, released.current_revision) as current_revision
    from released
    full outer join effective
        on released.product_id = effective.product_id
),

final as (
    select
        revisions.product_id,
        revisions.revision,
        revisions.status,
        revisions.released_at,
        revisions.description,
        coalesce(revisions.revision = current_revisions.current_revision, false)
            as is_current_revision
    from revisions
    left join current_revisions
        on revisions.product_id = current_revisions.product_id
)

select * from final
