"""Time to render the demo's daily report (one copy per plant) from a warehouse.

    python benchmarks/reports.py [--warehouse warehouse/andon.duckdb] [--as-of DATE]

Goal: under 10 s for the three plants of the sample factory. By default the report runs on
the warehouse's as-of date (the newest data day), so it shows the last full day before it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.reports.access import Caller  # noqa: E402
from app.reports.definitions import load_report  # noqa: E402
from app.reports.runner import run_report  # noqa: E402
from metrics.asof import as_of_date  # noqa: E402
from warehouse.connections import connect_published  # noqa: E402
from warehouse.location import warehouse_path  # noqa: E402

GOAL_S = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=None, help="warehouse DuckDB file")
    parser.add_argument("--as-of", default=None, help="run date (YYYY-MM-DD)")
    parser.add_argument("--report", default="daily_plant_kpis")
    args = parser.parse_args()
    con = connect_published(warehouse_path(args.warehouse))
    as_of = date.fromisoformat(args.as_of) if args.as_of else as_of_date(con)
    report = load_report(args.report)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        # as the scheduler runs it (every copy with the plants its definition states),
        # audited in a state store of its own, not the warehouse's
        caller = Caller.service(Path(out) / "state.sqlite")
        results = run_report(report, as_of, con, Path(out), caller=caller)
        elapsed = time.perf_counter() - started
        files = sum(len(r.files) for r in results)
    con.close()
    print(
        f"{args.report}: {len(results)} copies ({', '.join(r.slice_key for r in results)}), "
        f"{files} files, as of {as_of}: {elapsed:.2f} s (goal < {GOAL_S:.0f} s)"
    )
    return 0 if elapsed < GOAL_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
