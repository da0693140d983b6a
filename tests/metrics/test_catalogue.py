"""docs/metrics.md is generated from the registry and committed up to date."""

from __future__ import annotations

from metrics import load_registry
from metrics.catalogue import DOC_PATH, main, render


def test_committed_catalogue_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(load_registry()), (
        "docs/metrics.md is out of date: run python -m metrics.catalogue"
    )
    assert main(["--check"]) == 0


def test_catalogue_has_every_metric_and_area() -> None:
    text = render(load_registry())
    for name in load_registry().metrics:
        assert f"| `{name}` |" in text
    for heading in (
        "## Equipment effectiveness / 设备效率",
        "## Quality / 质量",
        "## Delivery and orders / 交付与订单",
        "## Inventory / 库存",
        "## Volume / 数量",
        "## Dimensions / 维度",
    ):
        assert heading in text
    assert "| `oee` | OEE | 设备综合效率 |" in text
    assert "Days in period" in text
