"""The two outcomes of reading a question: an Interpretation to run, or a Clarification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from metrics.nlq.clarify import Clarification

__all__ = ["Clarification", "Interpretation"]


@dataclass
class Interpretation:
    """A metrics.query request plus the ordering the answer applies to its rows."""

    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    grain: str | None = None
    compare: str | None = None
    order: str | None = None
    limit: int | None = None
    excluded: dict[str, tuple[str, ...]] = field(default_factory=dict)
    period: str = ""
    defaulted_period: bool = False
    confidence: float = 1.0
    notes: list[str] = field(default_factory=list)

    def query_args(self) -> dict[str, object]:
        """Keyword arguments for metrics.query / metrics.compile."""
        return {
            "metrics": list(self.metrics),
            "by": list(self.by),
            "where": {d: list(v) for d, v in self.where.items()},
            "start": self.start,
            "end": self.end,
            "grain": self.grain,
            "compare": self.compare,
        }

    def to_dict(self) -> dict[str, object]:
        return {
            **self.query_args(),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "order": self.order,
            "limit": self.limit,
            "excluded": {d: list(v) for d, v in self.excluded.items()},
            "period": self.period,
        }
