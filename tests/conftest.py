"""Shared fixtures: one small sample factory, generated, landed and built once per test run.

The sample is made by one background process for every pytest-xdist worker
(`tests/sample_build.py`), started as soon as the session holds a test that needs it; each
worker gets its own copy of the landed and built warehouses, so a worker's tests never see
another's writes. The inbox itself is one folder for the whole run: never write to it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import sample_build
from tests.sample_build import SAMPLE_END, SAMPLE_SCALE, SAMPLE_START  # noqa: F401 - re-exported

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")

SAMPLE_FIXTURES = {"sample_inbox", "landed_warehouse", "built_warehouse"}

# The suite's longest work units, longest first (from `--durations`): they start before
# every other file, so none of them is left to run alone at the end. xdist's own order (by
# number of tests) would start them last. Those needing no sample warehouse come first: they
# run while tests/sample_build.py builds it. A file runs on one worker (`--dist loadfile`:
# its module fixtures are made once), except the files in PER_TEST, whose tests are long
# enough to be spread over both workers one by one.
FIRST = [
    # no sample warehouse needed
    "tests/warehouse/test_spark_parity.py",
    "tests/warehouse/test_dbt_models.py",  # its last test reads the sample, built by then
    "tests/app/reports/test_render.py",
    "tests/app/accounts/test_service.py",
    "tests/nlq/test_golden.py",
    "tests/app/cli/test_cli.py",
    "tests/app/reports/test_delivery.py",
    "tests/ingest/test_crash.py",
    # the sample warehouse
    "tests/app/web/test_screenshots.py",
    "tests/app/cli/test_users.py",
    "tests/app/web/test_browser_users.py",
    "tests/ingest/pull/test_pull_databases.py",
    "tests/app/web/test_signin.py",
    "tests/app/service/test_service.py",
    "tests/warehouse/test_incremental_parity.py",
    "tests/app/web/test_tables.py",
    "tests/app/web/test_pages.py",
    "tests/app/web/test_browser.py",
    "tests/app/web/test_browser_modes.py",
    "tests/app/web/test_offline.py",
    "tests/app/web/test_reports_page.py",
    "tests/warehouse/test_build.py",
    "tests/app/api/test_api.py",
    "tests/metrics/test_scope.py",
]
PER_TEST = {"tests/app/web/test_screenshots.py"}


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this run's sample is made: beside the workers' temporary folders under xdist
    (each worker's basetemp is <run's basetemp>/popen-gwN), in the basetemp without it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / "sample-factory"


@pytest.fixture(scope="session", autouse=True)
def _sample_started(request: pytest.FixtureRequest, sample_root: Path) -> None:
    """Start the background build as soon as the session holds a test that needs it."""
    items = request.session.items
    if any(SAMPLE_FIXTURES & set(getattr(item, "fixturenames", ())) for item in items):
        sample_build.start(sample_root)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A build this process started and that still runs: waited for when the session ended
    as planned (another worker may still need it), ended when it was cut short."""
    planned = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
    sample_build.stop(wait=planned and not (session.shouldfail or session.shouldstop))


def _ready(sample_root: Path, step: str) -> None:
    sample_build.start(sample_root)  # no-op once started (a test may ask for it late)
    try:
        sample_build.wait(sample_root, step)
    except sample_build.SampleBuildError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def sample_inbox(sample_root: Path) -> Path:
    """A two-week, half-size sample factory inbox (read-only for tests: copy before changing)."""
    _ready(sample_root, "sample")
    return sample_build.inbox(sample_root)


@pytest.fixture(scope="session")
def landed_warehouse(
    sample_inbox: Path, sample_root: Path, tmp_path_factory: pytest.TempPathFactory
):  # noqa: ANN201
    """The sample inbox ingested into a fresh warehouse: (warehouse path, IngestReport)."""
    _ready(sample_root, "landed")
    folder = sample_build.copy_folder(sample_root / "landed", tmp_path_factory.mktemp("warehouse"))
    target = folder / "andon.duckdb"
    return target, sample_build.landed_report(sample_root, target)


@pytest.fixture(scope="session")
def built_warehouse(
    sample_inbox: Path, sample_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The sample inbox ingested, built by dbt (`app.pipeline.run_pipeline`) and published:
    the build file's path.

    Readers open it with `warehouse.connections.connect_published(path)`; pass
    `warehouse=path` to `metrics.query`. Shared by the worker's whole session: never write
    to it (copy it, as tests/app/service does).
    """
    _ready(sample_root, "built")
    folder = sample_build.copy_folder(sample_root / "built", tmp_path_factory.mktemp("built"))
    return folder / "andon.duckdb"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """FIRST's files first, in its order; every other file after them, as collected."""
    rank = {path: number for number, path in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201
    """`--dist loadfile` in the collected order (FIRST first), PER_TEST split by test."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # xdist would start the files with most tests

    class LongestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in PER_TEST else path

        def _reschedule(self, node) -> None:  # noqa: ANN001 - xdist WorkerController
            """As xdist does, but a worker that still has a PER_TEST test to run takes the
            next other file instead of a second one (the other worker takes that)."""
            if self.workqueue and not node.shutting_down and self._holds_per_test(node):
                if self._pending_of(self.assigned_work[node]) > 2:
                    return
                other = next((s for s in self.workqueue if not self._per_test(s)), None)
                if other is not None:
                    self.workqueue.move_to_end(other, last=False)
            super()._reschedule(node)

        def _per_test(self, scope: str) -> bool:
            return scope.split("::", 1)[0] in PER_TEST

        def _holds_per_test(self, node) -> bool:  # noqa: ANN001
            return any(
                self._per_test(scope) and not all(tests.values())
                for scope, tests in self.assigned_work.get(node, {}).items()
            )

    return LongestFirst(config, log)
