"""Ground truth of the engineering-change KPIs (KPIS.md "Engineering change (PLM)").

Pure functions over the changes as the PLM last exported them (latest row per eco_id, the
contract's column names, timestamps as written: ISO 8601 with the PLM's offset) and the
work orders' production, so a test can work them by hand.

Truth files (in `_truth/`):
* `engineering_changes.parquet` - per change: eco_id, product_id, from_revision,
  to_revision, priority, status, created_at, approved_at, closed_at (wall-clock as written),
  effective_date, approval_days (approved_at − created_at, in days), effect_days
  (effective_date at midnight − approved_at, in days, on approved_at's clock).
* `eco_month.parquet` - per calendar month of the period: month (its first day),
  approved (changes approved in it), eco_approval_days (their mean approval_days),
  effective (approved changes whose effective_date falls in it), eco_effect_days (their mean
  effect_days), open_ecos (counted at the month's end).
* `superseded_line_day.parquet` - per line and production date with production on orders
  that carry a revision: plant_id, line_id, date, produced_qty, superseded_qty,
  superseded_revision_share.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, datetime, timedelta

import polars as pl

EFFECTIVE = ("APPROVED", "IMPLEMENTED")
DURATION_SCHEMA = {
    "eco_id": pl.String,
    "product_id": pl.String,
    "from_revision": pl.String,
    "to_revision": pl.String,
    "priority": pl.String,
    "status": pl.String,
    "created_at": pl.Datetime("us"),
    "approved_at": pl.Datetime("us"),
    "closed_at": pl.Datetime("us"),
    "effective_date": pl.Date,
    "approval_days": pl.Float64,
    "effect_days": pl.Float64,
}
NOT_OPEN = ("REJECTED", "CANCELLED")


def _wall(text: str | None) -> datetime | None:
    """A timestamp as written, without its offset (all of one PLM share one clock)."""
    return None if text is None else datetime.fromisoformat(text[:19])


def change_durations(changes: list[dict]) -> pl.DataFrame:
    """approval_days and effect_days per change.

    KPIS.md eco_approval_days: days from created_at to approved_at; eco_effect_days: days from
    approved_at to effective_date (taken at its midnight). Null where a side is missing.
    """
    rows = []
    for c in changes:
        created, approved = _wall(c["created_at"]), _wall(c["approved_at"])
        effective = date.fromisoformat(c["effective_date"]) if c["effective_date"] else None
        approval = (approved - created).total_seconds() / 86_400 if approved else None
        effect = None
        if approved and effective:
            effect = (datetime.combine(effective, datetime.min.time()) - approved).total_seconds()
            effect /= 86_400
        rows.append(
            {
                "eco_id": c["eco_id"],
                "product_id": c["product_id"],
                "from_revision": c["from_revision"],
                "to_revision": c["to_revision"],
                "priority": c["priority"],
                "status": c["status"],
                "created_at": created,
                "approved_at": approved,
                "closed_at": _wall(c["closed_at"]),
                "effective_date": effective,
                "approval_days": approval,
                "effect_days": effect,
            }
        )
    return pl.DataFrame(rows, schema=DURATION_SCHEMA).sort("eco_id")


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def eco_by_month(durations: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """eco_approval_days, eco_effect_days and open_ecos per calendar month.

    KPIS.md: eco_approval_days is the mean over changes approved in the period (approved_at
    in the month); eco_effect_days the mean over changes effective in the period
    (effective_date in the month, status APPROVED or IMPLEMENTED); open_ecos counts, at the
    period end (the next month's first midnight), the changes created before it and not
    closed (closed_at empty or after it) whose status is not REJECTED or CANCELLED.
    """
    rows = []
    for month in _months(first, last):
        after = (month + timedelta(days=32)).replace(day=1)
        lo, hi = (
            datetime.combine(month, datetime.min.time()),
            datetime.combine(after, datetime.min.time()),
        )
        approved = [
            r["approval_days"]
            for r in durations.iter_rows(named=True)
            if r["approved_at"] is not None and lo <= r["approved_at"] < hi
        ]
        effective = [
            r["effect_days"]
            for r in durations.iter_rows(named=True)
            if r["effective_date"] is not None
            and r["status"] in EFFECTIVE
            and month <= r["effective_date"] < after
        ]
        open_ecos = sum(
            1
            for r in durations.iter_rows(named=True)
            if r["created_at"] < hi
            and (r["closed_at"] is None or r["closed_at"] > hi)
            and r["status"] not in NOT_OPEN
        )
        rows.append(
            {
                "month": month,
                "approved": len(approved),
                "eco_approval_days": sum(approved) / len(approved) if approved else None,
                "effective": len(effective),
                "eco_effect_days": sum(effective) / len(effective) if effective else None,
                "open_ecos": open_ecos,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "month": pl.Date,
            "approved": pl.Int64,
            "eco_approval_days": pl.Float64,
            "effective": pl.Int64,
            "eco_effect_days": pl.Float64,
            "open_ecos": pl.Int64,
        },
    )


def current_revisions(changes: list[dict]) -> dict[str, list[tuple[date, str]]]:
    """Per product, (effective_date, to_revision) of its effective changes, in date order.

    SOURCES.md: a change is effective for its product from the start of effective_date
    (plant-local) once it is APPROVED or IMPLEMENTED; from then on to_revision is current.
    """
    out: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for c in changes:
        if c["status"] in EFFECTIVE and c["effective_date"]:
            out[c["product_id"]].append((date.fromisoformat(c["effective_date"]), c["to_revision"]))
    return {product: sorted(items) for product, items in out.items()}


def superseded_share(
    output: list[tuple[str, str, date, str, date, int]],
    orders: dict[str, tuple[str, str | None]],
    changes: list[dict],
) -> pl.DataFrame:
    """superseded_revision_share per line and production date.

    KPIS.md: Σ PQ of work orders whose revision is older than the product's current
    revision at the production report's end time (plant-local) / Σ PQ of work orders that
    carry a revision. `output` rows are (plant, line, production date, work order, plant-local
    date of the report's end, PQ); `orders` gives each order's (product, revision) as last
    exported. Before a product's first effective change no revision is older than the
    current one (orders build the revision the period opened with); revisions are letters,
    so older is alphabetically earlier.
    """
    current = current_revisions(changes)
    sums: dict[tuple[str, str, date], list[int]] = defaultdict(lambda: [0, 0])
    for plant, line, day, wo_id, end_day, produced in output:
        product, revision = orders[wo_id]
        if revision is None:
            continue
        cell = sums[(plant, line, day)]
        cell[0] += produced
        history = current.get(product, [])
        k = bisect.bisect_right(history, (end_day, "~"))
        if k and revision < history[k - 1][1]:
            cell[1] += produced
    rows = [
        {
            "plant_id": plant,
            "line_id": line,
            "date": day,
            "produced_qty": total,
            "superseded_qty": old,
            "superseded_revision_share": old / total if total else None,
        }
        for (plant, line, day), (total, old) in sorted(sums.items())
    ]
    return pl.DataFrame(
        rows,
        schema={
            "plant_id": pl.String,
            "line_id": pl.String,
            "date": pl.Date,
            "produced_qty": pl.Int64,
            "superseded_qty": pl.Int64,
            "superseded_revision_share": pl.Float64,
        },
    )
