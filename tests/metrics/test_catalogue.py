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
    assert "| `oee` | OEE | 设备综合效率 | Hiệu suất thiết bị tổng thể (OEE) |" in text
    assert "Days in period" in text


def test_catalogue_shows_every_language_and_the_amber_bands() -> None:
    text = render(load_registry())
    assert "## Equipment effectiveness / 设备效率 / Hiệu quả thiết bị" in text
    assert "## Dimensions / 维度 / Chiều phân tích" in text
    assert (
        "| name | label | 中文 | Tiếng Việt | formula | unit | direction | target | amber band "
        "| owner | dimensions |"
    ) in text
    rows = {line.split(" | ")[0][3:-1]: line.split(" | ") for line in text.splitlines()}
    assert rows["oee"][7:9] == ["85%", "2 pp"]  # explicit: 2 percentage points
    assert rows["scrap_rate"][7:9] == ["1%", "0.25 pp"]
    assert rows["days_of_inventory"][7:9] == ["30", "3"]  # days
    assert rows["mtbf_hours"][7:9] == ["8", "0.16 (default)"]  # 2 % of 8 hours
    assert rows["defect_ppm"][7:9] == ["500", "10 (default)"]
    assert rows["produced_qty"][7:9] == ["—", "—"]  # no target, no band
    assert rows["plant"][1:4] == ["Plant", "工厂", "Nhà máy"]
    assert rows["plant"][5] == "dim_plant: plant_name_en (en, vi), plant_name_zh (zh) |"
    assert "week (周 / Tuần (ISO, từ thứ Hai))" in text
    assert "without one it is 2 % of |target|" in text
