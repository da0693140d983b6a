"""The metrics catalogue (docs/metrics.md), generated from the registry.

python -m metrics.catalogue            # rewrite docs/metrics.md
python -m metrics.catalogue --check    # exit 1 when docs/metrics.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from metrics.formatting import NULL
from metrics.i18n import DEFAULT_LANG, LANGS
from metrics.registry import AREAS, GRAINS, Metric, Registry, area_label, load_registry
from metrics.status import DEFAULT_AMBER_SHARE, amber_band

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"

HEADER = f"""\
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
- **Status against the target** (the coloured dot of every card, report and alert): green on
  the right side of the target, amber within the metric's *amber band* on the wrong side, red
  beyond. The band is the registry's `amber_band` in the metric's own units — 0.02 of a
  percent metric is 2 percentage points (OEE 84 % against 85 % is amber, 81 % red), 3 of a
  metric in days is 3 days; without one it is {DEFAULT_AMBER_SHARE * 100:g} % of |target|
  ("default" in the tables), and a target of 0 or a band of 0 has no amber.
- Labels: every metric, dimension and grain is named in English, 中文 and Tiếng Việt. The
  names of dimension values (plants, lines, products …) come from the dimension tables, which
  carry English and Chinese names; Vietnamese readers see the English ones.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _target(metric: Metric) -> str:
    if metric.target is None:
        return NULL
    if metric.format.get("style") == "percent":
        return f"{metric.target * 100:g}%"
    return f"{metric.target:g}"


def _band(metric: Metric) -> str:
    """The amber band as the metric is read: "2 pp" of a percent metric, "3" of a number."""
    if metric.target is None:
        return NULL
    band = amber_band(metric)
    text = f"{band * 100:g} pp" if metric.format.get("style") == "percent" else f"{band:g}"
    return text if metric.amber_band is not None else f"{text} (default)"


def _titles(titles: dict[str, str]) -> str:
    return " / ".join(dict.fromkeys(titles.get(lang) or titles[DEFAULT_LANG] for lang in LANGS))


LANGUAGE_HEADERS = {"en": "label", "zh": "中文", "vi": "Tiếng Việt"}


def render(registry: Registry) -> str:
    """The whole catalogue as Markdown."""
    lines = [HEADER]
    labels = " | ".join(LANGUAGE_HEADERS.get(lang, lang) for lang in LANGS)
    rule = "|---" * len(LANGS)
    for area in AREAS:
        metrics = [m for m in registry.metrics.values() if m.area == area]
        if not metrics:
            continue
        lines += [
            f"## {_titles({lang: area_label(area, lang) for lang in LANGS})}",
            "",
            f"| name | {labels} | formula | unit | direction | target | amber band | owner "
            "| dimensions |",
            f"|---{rule}|---|---|---|---|---|---|---|",
        ]
        for m in metrics:
            direction = "↑ higher" if m.direction == "higher_is_better" else "↓ lower"
            lines.append(
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        f"`{m.name}`",
                        *(m.label(lang) for lang in LANGS),
                        m.formula_text(),
                        m.unit,
                        direction,
                        _target(m),
                        _band(m),
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
        "## Dimensions / 维度 / Chiều phân tích",
        "",
        f"| name | {labels} | key | value names from |",
        f"|---{rule}|---|---|",
    ]
    for d in registry.dimensions.values():
        source = "the key itself"
        if d.table:
            columns: dict[str, list[str]] = {}
            for lang in LANGS:
                columns.setdefault(str(d.label_column(lang)), []).append(lang)
            source = f"{d.table}: " + ", ".join(
                f"{column} ({', '.join(langs)})" for column, langs in columns.items()
            )
        names = " | ".join(_cell(d.label(lang)) for lang in LANGS)
        lines.append(f"| `{d.name}` | {names} | {d.key} | {source} |")
    grains = ", ".join(
        f"{g} ({' / '.join(registry.grain_label(g, lang) for lang in LANGS[1:])})" for g in GRAINS
    )
    lines += [
        "",
        f"Time grains: {grains}.",
        "",
        "## Facts / 事实表 / Bảng sự kiện",
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
