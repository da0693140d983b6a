"""The Quality page's control chart: the measurements of one product × characteristic with
the look-back before the period as the baseline (metrics.spc, exactly as the SPC alert judges
them), and the columns the chart and its table show: sample number (the period's from 1,
the baseline's up to 0), the rules each period point completes, and its control flag."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from metrics.i18n import has, t
from metrics.spc import SpcChart, spc_chart


@dataclass(frozen=True)
class ControlChart:
    points: pl.DataFrame  # lists.spc_points columns + sample, rules, flag
    chart: SpcChart
    first: int  # index of the first point inside the period

    @property
    def period_values(self) -> list[float]:
        return self.points["measured_value"].to_list()[self.first :]

    @property
    def out_of_control(self) -> int:
        """Points of the period that complete at least one rule."""
        return sum(1 for hits in self.chart.hits[self.first :] if hits)


def control_chart(points: pl.DataFrame, lang: str) -> ControlChart | None:
    """The chart of `points` (lists.spc_points: in inspection order, with `in_period`);
    None without control limits (fewer than two points or no spread)."""
    values = points["measured_value"].to_list()
    first = next((i for i, inside in enumerate(points["in_period"]) if inside), len(values))
    chart = spc_chart(values, baseline=first)
    if chart is None:
        return None
    rules = [hits if i >= first else [] for i, hits in enumerate(chart.hits)]
    flags = [
        t("spc_baseline", lang)
        if i < first
        else (t("out_of_control", lang) if hits else t("in_control", lang))
        for i, hits in enumerate(rules)
    ]
    shown = points.with_columns(
        pl.Series("sample", range(1 - first, len(values) + 1 - first)),
        pl.Series("rules", [", ".join(map(str, r)) for r in rules], dtype=pl.String),
        pl.Series("flag", flags, dtype=pl.String),
    ).drop("in_period", "inspected_date")
    return ControlChart(shown, chart, first)


def characteristic_label(code: str, lang: str) -> str:
    """An inspection characteristic's name in `lang`: its catalogue entry (char_<code>, e.g.
    "Solder paste height (µm)") where there is one, else the code made readable
    ("screw_torque" -> "Screw torque"). The source systems give only the code."""
    key = f"char_{code}"
    if has(key):
        return t(key, lang)
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else code
