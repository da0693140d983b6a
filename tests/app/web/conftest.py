"""App fixtures: the built sample warehouse handed to the app through ANDON_WAREHOUSE."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.location import ENV_VAR

APP = str(Path(__file__).resolve().parents[3] / "app" / "web" / "main.py")


@pytest.fixture
def app_env(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_VAR, str(built_warehouse))
    return built_warehouse


@pytest.fixture
def open_page(app_env: Path):
    """open_page("equipment", plant="SZ") -> AppTest after the page rendered."""
    from streamlit.testing.v1 import AppTest

    def run(page: str, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(params)
        at.run()
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        return at

    return run
