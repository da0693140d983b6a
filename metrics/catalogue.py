"""The metrics catalogue (docs/metrics.md), generated from the registry.

python -m metrics.catalogue            # rewrite docs/metrics.md
python -m metrics.catalogue --check    # exit 1 when docs/metrics.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from metrics.formatting import NULL
from metrics.registry import AREAS, GRAINS, Metric, Registry, load_registry

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

HEADER = """\
# Metrics catalogue

Generated from [`metrics/registry.yaml`](../metrics/registry.yaml) by
`python -m metrics.catalogue`; do not edit by hand. Definitions follow KPIS.md (ISO 22400-2
and the TPM six big losses).

## How metrics are computed

- Every metric is a **ratio of sums** at the grain asked for — plant, line, equipment, shift,
  product, day, week, month … — never an average of per-row or per-machine ratios. A ratio
  whose denominator is 0 (or has no rows) is NULL, shown as "—".
- Numerator and denominator may come from different facts (e.g. `defect_ppm`: inspections
  over production). Each side is summed separately over its own fact, filtered on its own
  time column, then the two are matched on the grouping keys.
- Time filters: `start` is inclusive and `end` exclusive, on each fact's time column (named
  in the formula's fact, see the table of facts below). Grains bucket that column with
  date_trunc: day, week (ISO week, starting Monday), month, quarter, year.
- **Days in period** (for `annualized_inventory_turnover` and `days_of_inventory`): the
  calendar days of the requested period [start, end); with a grain, of each bucket clipped
  to [start, end). A request without a grain needs both start and end.
- `avg_inventory_value` is the mean over the snapshot dates present in the period (per
  group) of the summed inventory value.
- `cpk` is a statistic, not a ratio of sums: per product × characteristic (both must be
  grouped by), min(USL − mean, mean − LSL) / (3 × sample standard deviation) of the rows
  with a measured value; the limits are those of the newest inspection in the group.
- Comparisons: `previous_period` is the window of the same length just before — in whole
  calendar months when start and end are month starts and the grain is month, quarter, year
  or none, otherwise in days; `same_period_last_year` shifts by 12 months, or by 52 weeks
  (364 days) for a day or week grain so weekdays line up. The shifted rows are bucketed with
  the current buckets; `<metric>_delta` = current − compared.
- **Plant scope.** Every request carries the caller's plants (`metrics.Scope`): only their
  rows are read, in every fact and in the label lookups, and a filter on other plants gives
  nothing; no scope gives no rows. Every fact reaches a plant (`metrics/scope.py`
  `PLANT_REACH`). Sales order lines belong to the plant that fulfils them: the plant of the
  warehouse of the line's first shipment, else of the line of the first work order made for
  it (`work_orders.sales_order_id` / `sales_order_line`, cancelled ones skipped), else none
  — an unassigned line counts only in totals over every plant.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _target(metric: Metric) -> str:
    if metric.target is None:
        return NULL
    if metric.format.get("style") == "percent":
        return f"{metric.target * 100:g}%"
    return f"{metric.target:g}"


def render(registry: Registry) -> str:
    """The whole catalogue as Markdown."""
    lines = [HEADER]
    for area, (title_en, title_zh) in AREAS.items():
        metrics = [m for m in registry.metrics.values() if m.area == area]
        if not metrics:
            continue
        lines += [
            f"## {title_en} / {title_zh}",
            "",
            "| name | label | 中文 | formula | unit | direction | target | owner | dimensions |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for m in metrics:
            direction = "↑ higher" if m.direction == "higher_is_better" else "↓ lower"
            lines.append(
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        f"`{m.name}`",
                        m.label_en,
                        m.label_zh,
                        m.formula_text(),
                        m.unit,
                        direction,
                        _target(m),
                        m.owner,
                        ", ".join(m.dimensions),
                    )
                )
                + " |"
            )
        lines.append("")
        for m in metrics:
            synonyms = ", ".join((*m.synonyms.get("en", ()), *m.synonyms.get("zh", ())))
            lines.append(f"- `{m.name}`: {m.description} *Also:* {synonyms}.")
        lines.append("")
    lines += [
        "## Dimensions / 维度",
        "",
        "| name | label | 中文 | key | labels from |",
        "|---|---|---|---|---|",
    ]
    for d in registry.dimensions.values():
        source = "the key itself"
        if d.table:
            source = f"{d.table}.{d.label_columns['en']} / {d.label_columns['zh']}"
        lines.append(f"| `{d.name}` | {d.label_en} | {d.label_zh} | {d.key} | {source} |")
    grains = ", ".join(f"{g} ({registry.grains.get(g, {}).get('label_zh', g)})" for g in GRAINS)
    lines += [
        "",
        f"Time grains: {grains}.",
        "",
        "## Facts / 事实表",
        "",
        "| fact | grain | time columns | dimension → column |",
        "|---|---|---|---|",
    ]
    for f in registry.facts.values():
        mapping = ", ".join(f"{d} → {c}" for d, c in f.dimensions.items())
        lines.append(f"| `{f.name}` | {f.grain} | {', '.join(f.time_columns)} | {mapping} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    text = render(load_registry())
    if "--check" in args:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is out of date: run python -m metrics.catalogue", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
