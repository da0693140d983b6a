"""What an ingest run reports: one FileResult per file, FileEvents for progress bars."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class FileResult:
    """The outcome of one inbox file."""

    file: str
    system: str
    entity: str
    status: Literal["landed", "skipped", "rejected"]
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    rows_unchanged: int = 0
    message: str = ""
    seconds: float = 0.0
    load_id: int | None = None


@dataclass(frozen=True)
class FileEvent:
    """Progress: phase 'start' before a file, 'done' (with its result) after it."""

    phase: Literal["start", "done"]
    index: int
    total: int
    file: str
    result: FileResult | None = None


@dataclass
class IngestReport:
    """All file results of one run, with totals."""

    inbox: str
    warehouse: str
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def rejected(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "rejected"]

    @property
    def totals(self) -> dict[str, int | float]:
        return {
            "files": len(self.results),
            "landed": self._count("landed"),
            "skipped": self._count("skipped"),
            "rejected": self._count("rejected"),
            "rows_read": sum(r.rows_read for r in self.results),
            "rows_landed": sum(r.rows_landed for r in self.results),
            "rows_quarantined": sum(r.rows_quarantined for r in self.results),
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict:
        """Plain data for `--json`."""
        return {
            "inbox": self.inbox,
            "warehouse": self.warehouse,
            "totals": self.totals,
            "files": [asdict(r) for r in self.results],
        }
