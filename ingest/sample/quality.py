"""Scrap, rework and inspections, with the stories a quality engineer should find.

DG-SMT2 scraps about three times as much as its sister lines; SZ-ASSY1 has a month-long
quality excursion; the solder paste height on SZ-SMT1 drifts towards its upper spec limit
over some weeks before maintenance resets it.

The excursion and the drift sit at fixed day offsets from the start of the period (where
35 %, 55 % and 75 % of the default 13 months fall), never relative to its end, so a longer
period only adds days. Periods shorter than about five months end before they begin.
"""

from __future__ import annotations

from datetime import date, timedelta

from .factory import Factory, Line, hash_id

# Day offsets from the start of the period: [first day, first day after).
EXCURSION_DAYS = (138, 168)
DRIFT_DAYS = (217, 297)

EXCURSION_LINE = "SZ-ASSY1"
DRIFT_LINE = "SZ-SMT1"
# kind -> (characteristic, lsl, usl, nominal, sigma, defect codes)
CHARACTERISTICS = {
    "SMT": (
        "solder_paste_height_um",
        100.0,
        160.0,
        130.0,
        4.5,
        ("D-BRIDGE", "D-INSUFF", "D-TOMB", "D-MISS", "D-SHIFT"),
    ),
    "ASSY": ("screw_torque_nm", 1.8, 2.4, 2.1, 0.05, ("D-TORQ", "D-FUNC", "D-SCRATCH")),
    "ASSY-WH": ("crimp_height_mm", 1.10, 1.30, 1.20, 0.018, ("D-CRIMP", "D-FUNC")),
    "PACK": ("label_offset_mm", -1.0, 1.0, 0.0, 0.2, ("D-LABEL", "D-DAMAGE")),
}


class QualityModel:
    """Scrap/rework rates by line, product and date; inspections per lot."""

    def __init__(self, factory: Factory, start: date):
        self.excursion = tuple(start + timedelta(days=k) for k in EXCURSION_DAYS)
        self.drift = tuple(start + timedelta(days=k) for k in DRIFT_DAYS)
        self.product_factor = {
            m.material_id: 0.7 + (hash_id(m.material_id, 3) % 71) / 100
            for m in factory.materials
            if m.material_type == "FG"
        }
        self.family = {m.material_id: m.material_id[3:5] for m in factory.materials}
        self.seq = 0

    def rates(self, line: Line, product: str, day: date) -> tuple[float, float]:
        factor = self.product_factor[product]
        scrap, rework = 0.006 * line.scrap_factor * factor, 0.012 * factor
        if line.line_id == EXCURSION_LINE and self.excursion[0] <= day < self.excursion[1]:
            scrap, rework = scrap * 4, rework * 2.5
        return scrap, rework

    def _mean(self, line: Line, nominal: float, usl: float, day: date) -> float:
        a, b = self.drift
        if line.line_id != DRIFT_LINE or not a <= day < b:
            return nominal
        share = (day - a).days / max(1, (b - a).days)
        return nominal + share * 0.85 * (usl - nominal)

    def inspect(
        self,
        out,
        rng,
        line: Line,
        wo,
        day: date,
        start: int,
        end: int,
        lot: str,
        produced: int,
        defects: int,
        shift_index: int,
    ) -> None:
        key = "ASSY-WH" if line.kind == "ASSY" and self.family[wo.product_id] == "WH" else line.kind
        name, lsl, usl, nominal, sigma, codes = CHARACTERISTICS[key]
        value = round(float(rng.normal(self._mean(line, nominal, usl, day), sigma)), 3)
        ok = lsl <= value <= usl
        at = start + int((end - start) * rng.uniform(0.2, 0.6))
        self.seq += 1
        out.inspection(
            {
                "inspection_id": f"QI-{self.seq:08d}",
                "product_id": wo.product_id,
                "inspected_at": at,
                "result": "PASS" if ok else "FAIL",
                "lot_id": lot,
                "work_order_id": wo.work_order_id,
                "equipment_id": line.equipment[0].equipment_id,
                "characteristic": name,
                "measured_value": value,
                "lsl": lsl,
                "usl": usl,
                "defect_code": None if ok else "D-DIM",
                "defect_qty": 0 if ok else 1,
            }
        )
        self.seq += 1
        code = codes[int(rng.integers(len(codes)))] if defects else None
        out.inspection(
            {
                "inspection_id": f"QI-{self.seq:08d}",
                "product_id": wo.product_id,
                "inspected_at": end,
                "result": "FAIL" if defects > 0.03 * produced else "PASS",
                "lot_id": lot,
                "work_order_id": wo.work_order_id,
                "equipment_id": line.equipment[-1].equipment_id,
                "characteristic": "final_visual",
                "measured_value": None,
                "lsl": None,
                "usl": None,
                "defect_code": code,
                "defect_qty": defects,
            }
        )
