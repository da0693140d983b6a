"""The sample factory's dimension values as in-memory rows, for tests without a warehouse.

Mirrors what the marts hold for ingest.sample (names split at ' / ' into en and zh,
product family and region zh labels, customer segment zh and vi labels, from the dbt
seeds)."""

from __future__ import annotations

from functools import lru_cache

from ingest.sample.factory import (
    CUSTOMERS,
    DEFECT_CODES,
    FAMILIES,
    PLANTS,
    SHIFTS,
    SUPPLIERS,
    build_factory,
)
from metrics.nlq.vocabulary import Vocabulary, shift_row

REGIONS_ZH = {
    "East China": "华东",
    "South China": "华南",
    "Europe": "欧洲",
    "North America": "北美",
}
# models/seeds/segment_labels.csv: segment -> (zh, vi)
SEGMENT_LABELS = {
    "Industrial": ("工业", "Công nghiệp"),
    "Appliances": ("家电", "Thiết bị gia dụng"),
    "Automotive": ("汽车", "Ô tô"),
    "Electronics": ("电子", "Điện tử"),
}


def _split(name: str) -> tuple[str, str]:
    en, _, zh = name.partition(" / ")
    return en, zh or en


def sample_rows(scale: float = 0.5) -> dict[str, list[dict]]:
    factory = build_factory(scale)
    rows: dict[str, list[dict]] = {
        "plant": [{"key": p.plant_id, "en": p.name_en, "zh": p.name_zh} for p in PLANTS],
        "line": [
            dict(
                zip(("en", "zh"), _split(line.line_name), strict=True),
                key=line.line_id,
                plant=line.plant_id,
            )
            for line in factory.lines
        ],
        "equipment": [
            {
                "key": e.equipment_id,
                "en": e.name_en,
                "zh": e.name_zh,
                "line": e.line_id,
                "plant": e.plant_id,
            }
            for e in factory.equipment
        ],
        "product": [
            {
                "key": m.material_id,
                "en": m.description,
                "zh": m.description_zh,
                "product_family": m.product_family or None,
            }
            for m in factory.materials
        ],
        "product_family": [{"key": en, "en": en, "zh": zh} for en, zh in FAMILIES.values()],
        "customer": [
            {"key": c.customer_id, "en": c.customer_name, "zh": c.customer_name} for c in CUSTOMERS
        ],
        "region": [{"key": en, "en": en, "zh": zh} for en, zh in REGIONS_ZH.items()],
        "customer_segment": [
            {"key": s, "en": s, "zh": SEGMENT_LABELS[s][0], "vi": SEGMENT_LABELS[s][1]}
            for s in sorted({c.segment for c in CUSTOMERS})
        ],
        "supplier": [
            {"key": s.supplier_id, "en": s.supplier_name, "zh": s.supplier_name} for s in SUPPLIERS
        ],
        "warehouse": [
            dict(
                zip(("en", "zh"), _split(w.warehouse_name), strict=True),
                key=w.warehouse_id,
                plant=w.plant_id,
            )
            for w in factory.warehouses
        ],
        "defect_code": [{"key": code, "en": en, "zh": zh} for code, en, zh, _ in DEFECT_CODES],
        "shift": [shift_row(code) for code in sorted({s.shift_code for s in SHIFTS})],
    }
    return rows


@lru_cache(maxsize=1)
def sample_vocabulary() -> Vocabulary:
    return Vocabulary.build(sample_rows())
