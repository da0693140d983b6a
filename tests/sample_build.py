"""The session's sample factory (tests/conftest.py), made once per test run for every
pytest-xdist worker.

One background process (`python -m tests.sample_build ROOT`) generates the sample inbox,
lands it into a warehouse and builds another with `run_pipeline`, step by step, into ROOT:
each step's folder, then `<step>.done` (or `<step>.failed` holding the traceback). The
first worker that collected a test needing the sample starts it (`start`), so it runs
beside the tests that need no warehouse; a fixture waits for its step (`wait`) and hands
its worker a copy of the warehouses, as if the worker had made them itself.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
import traceback
from datetime import date
from pathlib import Path

SAMPLE_START = date(2026, 9, 28)  # a Monday, so the fortnight holds HP weekends
SAMPLE_END = date(2026, 10, 11)  # crosses the Oct 1-3 holiday at SZ and DG
SAMPLE_SCALE = 0.5
SAMPLE_SEED = 7

STEPS = ("sample", "built", "landed")  # in the order the process makes them
PROJECT_ROOT = Path(__file__).resolve().parent.parent
_children: list[subprocess.Popen] = []


class SampleBuildError(Exception):
    """A step of the shared sample build failed, or its process ended without a result."""


def inbox(root: Path) -> Path:
    return root / "sample" / "inbox"


def build_file(root: Path, step: str) -> Path:
    """The warehouse file a step made ("landed" or "built")."""
    return root / step / "andon.duckdb"


def start(root: Path) -> None:
    """Start the background build into `root`, unless a process of this run already did."""
    root.mkdir(parents=True, exist_ok=True)
    try:
        claim = os.open(root / "builder.pid", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    log = open(root / "builder.log", "wb")  # noqa: SIM115 - the child writes it
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sample_build", str(root)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    os.write(claim, f"{child.pid}\n".encode())
    os.close(claim)
    _children.append(child)
    threading.Thread(target=child.wait, daemon=True).start()  # reaped as soon as it ends


def stop(wait: bool = True) -> None:
    """At the end of the session of the process that started the build: wait for it to
    finish (another worker may still need it), or end it when the run was interrupted."""
    for child in _children:
        if child.poll() is None and not wait:
            child.terminate()
        try:
            child.wait(900)
        except subprocess.TimeoutExpired:
            child.kill()


def wait(root: Path, step: str, timeout: float = 900) -> None:
    """Block until `step` is done; raise SampleBuildError when it failed or cannot finish."""
    deadline = time.monotonic() + timeout
    while True:
        if (root / f"{step}.done").exists():
            return
        failed = root / f"{step}.failed"
        if failed.exists():
            raise SampleBuildError(failed.read_text(encoding="utf-8"))
        if not _builder_alive(root):
            if (root / f"{step}.done").exists():
                return
            tail = _tail(root / "builder.log")
            raise SampleBuildError(f"the sample build process ended before {step!r}:\n{tail}")
        if time.monotonic() > deadline:
            raise SampleBuildError(f"the sample build took over {timeout:.0f} s at {step!r}")
        time.sleep(0.2)


def copy_folder(source: Path, target: Path) -> Path:
    """A step's whole folder (warehouse, WAL, published copies, dbt artifacts, state store)
    copied to `target`: a worker's own, to use as freely as one it built."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    return target


def landed_report(root: Path, warehouse: Path):  # noqa: ANN201 - ingest.IngestReport
    """The landed step's IngestReport, naming the worker's copy as its warehouse."""
    import dataclasses

    report = pickle.loads((root / "landed" / "report.pickle").read_bytes())
    return dataclasses.replace(report, warehouse=str(warehouse))


def _builder_alive(root: Path) -> bool:
    try:
        pid = int((root / "builder.pid").read_text().strip() or 0)
    except (OSError, ValueError):
        return True  # the pid is being written
    if not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is gone too (reaped only by the process that started it)
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _make(root: Path, step: str) -> None:
    if step == "sample":
        from ingest.sample import generate_sample

        generate_sample(
            inbox(root), seed=SAMPLE_SEED, start=SAMPLE_START, end=SAMPLE_END, scale=SAMPLE_SCALE
        )
    elif step == "landed":
        from ingest import ingest_inbox

        target = build_file(root, "landed")
        target.parent.mkdir(parents=True)
        report = ingest_inbox(inbox(root), target)
        (target.parent / "report.pickle").write_bytes(pickle.dumps(report))
    elif step == "built":
        from app.pipeline import run_pipeline

        target = build_file(root, "built")
        target.parent.mkdir(parents=True)
        result = run_pipeline(target, inbox=inbox(root))
        if not result.passed:
            failures = [f"{n.unique_id}: {n.message}" for n in result.build.failures]
            raise SampleBuildError(
                "the sample warehouse did not build:\n"
                + ("\n".join(failures) or str(result.build.error))
            )


def main(root: Path) -> int:
    """Make every step; a failed step fails the ones made from it (all of them, for the
    sample), never the others."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    failed = False
    for step in STEPS:
        clock = time.perf_counter()
        try:
            _make(root, step)
        except Exception as error:  # noqa: BLE001 - handed to the tests that need the step
            failed = True
            text = (
                str(error)
                if isinstance(error, SampleBuildError)
                else "".join(traceback.format_exception(error))
            )
            (root / f"{step}.failed").write_text(text, "utf-8")
            if step == "sample":
                for later in STEPS[1:]:
                    (root / f"{later}.failed").write_text(f"the sample failed:\n{text}", "utf-8")
                return 1
            continue
        (root / f"{step}.done").touch()
        print(f"{step}: {time.perf_counter() - clock:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
