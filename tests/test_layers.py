"""The layers as an import contract (pyproject.toml [tool.importlinter]), checked by
import-linter: app -> metrics | ingest -> warehouse, Streamlit only in app.web."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app", "metrics", "ingest", "warehouse")
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )


def test_the_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


# One import that reaches up per contract: (module, line, the contract it breaks).
REACHING_UP = [
    ("warehouse/location.py", "import metrics.registry", "app -> metrics | ingest"),
    ("ingest/readers.py", "from metrics import query", "app -> metrics | ingest"),
    ("metrics/errors.py", "import app.pipeline", "app -> metrics | ingest"),
    ("app/reports/fonts.py", "import app.web.charts", "never import the web app"),
    ("app/pipeline.py", "import app.cli.main", "never import the CLI"),
    ("metrics/formatting.py", "import streamlit", "Only the web app uses Streamlit"),
]


def test_imports_that_reach_up_break_the_contracts(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    for module, line, _ in REACHING_UP:
        path = tmp_path / module
        path.write_text(f"{path.read_text(encoding='utf-8')}\n{line}\n", encoding="utf-8")

    result = lint(tmp_path)

    assert result.returncode == 1
    assert "0 kept, 4 broken" in result.stdout, result.stdout
    for module, line, contract in REACHING_UP:
        assert contract in result.stdout
        importer = module.removesuffix(".py").replace("/", ".")
        imported = line.split()[1]
        assert f"{importer} -> {imported}" in result.stdout, (module, result.stdout)
