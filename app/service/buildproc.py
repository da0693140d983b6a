"""One dbt build in a child process of the pipeline service: `python -m app.service.buildproc
BUILD_FILE RESULT_JSON` runs `warehouse.build.build_warehouse(BUILD_FILE)` (incremental; it
publishes when every test passed) and writes its `BuildResult.to_dict()` to RESULT_JSON.

A child of its own keeps dbt's in-process state (adapters, caches, the DuckDB instance it
leaves behind, memory) out of a process that runs for months, and lets the service abandon
a build on a second stop signal by ending the child: the build file stays consistent
(DuckDB's write-ahead log) and readers keep the last published build.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    build_file, result_file = Path(argv[0]), Path(argv[1])
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    from warehouse.build import build_warehouse

    result = build_warehouse(build_file)
    partial = result_file.with_name(f".{result_file.name}.part")
    partial.write_text(json.dumps(result.to_dict(), default=str), encoding="utf-8")
    os.replace(partial, result_file)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
