"""Master data of the sample factory: plants, shifts, lines, machines, materials, partners.

Everything here is fixed by the scale alone, so the daily simulation can refer to it and the
master-data files describe exactly the factory that produced the events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY_S = 86_400


@dataclass(frozen=True)
class Plant:
    plant_id: str
    name_en: str
    name_zh: str
    timezone: str
    country: str
    utc_offset_s: int

    @property
    def plant_name(self) -> str:
        return f"{self.name_en} / {self.name_zh}"

    @property
    def offset_text(self) -> str:
        hours, rest = divmod(self.utc_offset_s, 3600)
        return f"+{hours:02d}:{rest // 60:02d}"


@dataclass(frozen=True)
class ShiftDef:
    plant_id: str
    shift_code: str
    start_min: int  # minutes after midnight
    duration_min: int
    breaks: tuple[tuple[int, int], ...]  # (minutes after shift start, length)

    @property
    def start_time(self) -> str:
        return f"{self.start_min // 60:02d}:{self.start_min % 60:02d}"

    @property
    def end_time(self) -> str:
        end = (self.start_min + self.duration_min) % (24 * 60)
        return f"{end // 60:02d}:{end % 60:02d}"

    @property
    def planned_break_min(self) -> int:
        return sum(length for _, length in self.breaks)


@dataclass
class Equipment:
    equipment_id: str
    name_en: str
    name_zh: str
    line_id: str
    area: str
    plant_id: str
    kind: str  # machine type key in MACHINE_TYPES
    mtbf_h: float
    mttr_min: float
    run_kw: float
    idle_kw: float
    speed_factor: float

    @property
    def equipment_name(self) -> str:
        return f"{self.name_en} / {self.name_zh}"


@dataclass
class Line:
    line_id: str
    plant_id: str
    kind: str  # SMT, ASSY, PACK
    number: int
    area: str
    products: list[str]
    equipment: list[Equipment] = field(default_factory=list)
    scrap_factor: float = 1.0

    @property
    def line_name(self) -> str:
        en, zh = LINE_NAMES[self.kind]
        return f"{en} {self.number} / {zh}{self.number}"


@dataclass(frozen=True)
class Material:
    material_id: str
    description: str
    description_zh: str
    material_type: str
    uom: str
    standard_cost: float
    product_family: str = ""


@dataclass(frozen=True)
class Customer:
    customer_id: str
    customer_name: str
    region: str
    segment: str


@dataclass(frozen=True)
class Supplier:
    supplier_id: str
    supplier_name: str
    region: str
    lead_days: int
    reliable: bool


@dataclass(frozen=True)
class Warehouse:
    warehouse_id: str
    plant_id: str
    warehouse_name: str
    kind: str  # RM or FG


@dataclass
class Factory:
    plants: list[Plant]
    shifts: list[ShiftDef]
    lines: list[Line]
    materials: list[Material]
    bom: dict[str, list[tuple[str, float]]]  # FG -> [(component, qty per unit)]
    routings: dict[tuple[str, str], float]  # (product, equipment) -> ideal cycle s
    customers: list[Customer]
    suppliers: list[Supplier]
    supplier_of: dict[str, str]  # material -> supplier
    warehouses: list[Warehouse]
    defect_codes: list[tuple[str, str, str, str]]

    @property
    def equipment(self) -> list[Equipment]:
        return [eq for line in self.lines for eq in line.equipment]

    def plant(self, plant_id: str) -> Plant:
        return next(p for p in self.plants if p.plant_id == plant_id)

    def material(self, material_id: str) -> Material:
        return self._materials_by_id[material_id]

    def __post_init__(self) -> None:
        self._materials_by_id = {m.material_id: m for m in self.materials}


PLANTS = [
    Plant("SZ", "Suzhou Plant", "苏州工厂", "Asia/Shanghai", "CN", 8 * 3600),
    Plant("DG", "Dongguan Plant", "东莞工厂", "Asia/Shanghai", "CN", 8 * 3600),
    Plant("HP", "Haiphong Plant", "海防工厂", "Asia/Ho_Chi_Minh", "VN", 7 * 3600),
]

SHIFTS = [
    ShiftDef("SZ", "A", 6 * 60, 480, ((240, 30),)),
    ShiftDef("SZ", "B", 14 * 60, 480, ((240, 30),)),
    ShiftDef("SZ", "C", 22 * 60, 480, ((240, 30),)),
    ShiftDef("DG", "D", 8 * 60, 720, ((240, 60),)),
    ShiftDef("DG", "N", 20 * 60, 720, ((240, 60),)),
    ShiftDef("HP", "A", 7 * 60, 510, ((240, 30),)),
    ShiftDef("HP", "B", 15 * 60 + 30, 510, ((240, 30),)),
]

# Which product families each plant makes (SMT lines only make the PCBA-based families).
PLANT_FAMILIES = {"SZ": ("MC", "SM"), "DG": ("SM", "WH"), "HP": ("WH", "MC")}
SMT_FAMILIES = ("MC", "SM")

LINE_NAMES = {
    "SMT": ("SMT Line", "贴片线"),
    "ASSY": ("Assembly Line", "装配线"),
    "PACK": ("Packing Line", "包装线"),
}
LINE_AREAS = {"SMT": "SMT", "ASSY": "Assembly", "PACK": "Packing"}

# kind -> (English, Chinese, base ideal cycle s, run kW, idle kW, MTBF h, MTTR min)
MACHINE_TYPES = {
    "PRINTER": ("Solder paste printer", "锡膏印刷机", 18.0, 4.0, 1.2, 45.0, 40.0),
    "SPI": ("Solder paste inspection", "锡膏检测机", 16.0, 2.5, 0.8, 60.0, 30.0),
    "PNP": ("Pick-and-place machine", "贴片机", 24.0, 7.5, 2.0, 24.0, 55.0),
    "REFLOW": ("Reflow oven", "回流焊炉", 20.0, 38.0, 22.0, 40.0, 85.0),
    "AOI": ("Automated optical inspection", "自动光学检测机", 19.0, 2.0, 0.7, 55.0, 30.0),
    "SCREW": ("Screw fastening station", "锁螺丝工站", 28.0, 3.0, 0.9, 35.0, 45.0),
    "PRESS": ("Press-fit machine", "压接机", 25.0, 6.0, 1.5, 30.0, 60.0),
    "TESTER": ("Functional tester", "功能测试机", 32.0, 2.8, 1.0, 50.0, 35.0),
    "LABEL": ("Labeling machine", "贴标机", 10.0, 1.5, 0.4, 45.0, 30.0),
    "SEALER": ("Carton sealer", "封箱机", 12.0, 2.2, 0.5, 38.0, 40.0),
}
LINE_MACHINES = {
    ("SMT", 1): ("PRINTER", "SPI", "PNP", "REFLOW", "AOI"),
    ("SMT", 0): ("PRINTER", "PNP", "REFLOW", "AOI"),
    ("ASSY", 1): ("SCREW", "PRESS", "TESTER"),
    ("PACK", 1): ("LABEL", "SEALER"),
}

FAMILIES = {
    "MC": ("Motor Controller", "电机控制器"),
    "SM": ("Sensor Module", "传感器模块"),
    "WH": ("Wiring Harness", "线束"),
}
# (id, family, English detail, Chinese detail, standard cost CNY, cycle factor)
FINISHED_GOODS = [
    ("FG-MC-100", "MC", "MC-100 0.75 kW", "MC-100 0.75千瓦", 180.0, 1.00),
    ("FG-MC-200", "MC", "MC-200 1.5 kW", "MC-200 1.5千瓦", 260.0, 1.08),
    ("FG-MC-300", "MC", "MC-300 3 kW", "MC-300 3千瓦", 390.0, 1.16),
    ("FG-MC-400", "MC", "MC-400 7.5 kW", "MC-400 7.5千瓦", 640.0, 1.30),
    ("FG-SM-110", "SM", "SM-110 temperature", "SM-110 温度", 45.0, 0.70),
    ("FG-SM-120", "SM", "SM-120 pressure", "SM-120 压力", 68.0, 0.78),
    ("FG-SM-130", "SM", "SM-130 humidity", "SM-130 湿度", 52.0, 0.74),
    ("FG-SM-140", "SM", "SM-140 proximity", "SM-140 接近", 38.0, 0.66),
    ("FG-WH-210", "WH", "WH-210 engine bay", "WH-210 发动机舱", 95.0, 1.10),
    ("FG-WH-220", "WH", "WH-220 dashboard", "WH-220 仪表板", 120.0, 1.22),
    ("FG-WH-230", "WH", "WH-230 door", "WH-230 车门", 60.0, 0.95),
    ("FG-WH-240", "WH", "WH-240 battery pack", "WH-240 电池包", 210.0, 1.35),
]
# (id, English, Chinese, type, uom, cost CNY)
COMPONENTS = [
    ("SFG-PCBA-MC", "PCBA for motor controller", "电机控制器PCBA", "SFG", "PCS", 120.0),
    ("SFG-PCBA-SM", "PCBA for sensor module", "传感器模块PCBA", "SFG", "PCS", 22.0),
    ("RM-PCB-4L", "PCB, 4 layers", "四层印制电路板", "RM", "PCS", 8.5),
    ("RM-IC-MCU", "Microcontroller IC", "微控制器芯片", "RM", "PCS", 12.0),
    ("RM-IC-DRV", "Gate driver IC", "栅极驱动芯片", "RM", "PCS", 6.4),
    ("RM-IC-SNS", "Sensor IC", "传感器芯片", "RM", "PCS", 9.8),
    ("RM-CONN-8P", "Connector, 8 pin", "8针连接器", "RM", "PCS", 1.2),
    ("RM-TERM", "Crimp terminal", "压接端子", "RM", "PCS", 0.08),
    ("RM-WIRE-1.5", "Copper wire 1.5 mm2", "1.5平方铜线", "RM", "M", 2.3),
    ("RM-RESIN", "Potting resin", "灌封树脂", "RM", "KG", 38.0),
    ("RM-HOUS-AL", "Aluminium housing", "铝合金外壳", "RM", "PCS", 14.0),
    ("PKG-CTN-S", "Carton, small", "小号纸箱", "PKG", "PCS", 2.1),
    ("PKG-CTN-L", "Carton, large", "大号纸箱", "PKG", "PCS", 4.5),
    ("PKG-TRAY", "ESD tray", "防静电托盘", "PKG", "PCS", 3.2),
]
BOM = {
    "MC": [
        ("RM-PCB-4L", 1),
        ("RM-IC-MCU", 1),
        ("RM-IC-DRV", 2),
        ("RM-CONN-8P", 2),
        ("RM-HOUS-AL", 1),
        ("PKG-CTN-S", 0.1),
        ("PKG-TRAY", 0.05),
    ],
    "SM": [
        ("RM-PCB-4L", 1),
        ("RM-IC-SNS", 1),
        ("RM-CONN-8P", 1),
        ("RM-RESIN", 0.02),
        ("PKG-CTN-S", 0.02),
        ("PKG-TRAY", 0.02),
    ],
    "WH": [("RM-WIRE-1.5", 2.5), ("RM-TERM", 6), ("RM-CONN-8P", 2), ("PKG-CTN-L", 0.05)],
}

CUSTOMERS = [
    Customer("CUST-001", "上海华东电气有限公司", "East China", "Industrial"),
    Customer("CUST-002", "杭州智能家电有限公司", "East China", "Appliances"),
    Customer("CUST-003", "南京新能源汽车部件有限公司", "East China", "Automotive"),
    Customer("CUST-004", "深圳海川科技有限公司", "South China", "Electronics"),
    Customer("CUST-005", "广州珠江电机有限公司", "South China", "Industrial"),
    Customer("CUST-006", "佛山美达电器有限公司", "South China", "Appliances"),
    Customer("CUST-007", "Bremer Antriebstechnik GmbH", "Europe", "Industrial"),
    Customer("CUST-008", "Lyon Automatisme SAS", "Europe", "Industrial"),
    Customer("CUST-009", "Nordic Motion AB", "Europe", "Automotive"),
    Customer("CUST-010", "Great Lakes Controls Inc.", "North America", "Industrial"),
    Customer("CUST-011", "Pacific Appliance Corp.", "North America", "Appliances"),
    Customer("CUST-012", "Texas EV Components LLC", "North America", "Automotive"),
]
PLANT_REGIONS = {
    "SZ": ("East China", "Europe", "North America"),
    "DG": ("South China", "Europe", "North America"),
    "HP": ("Europe", "North America"),
}
REGION_CURRENCY = {
    "East China": "CNY",
    "South China": "CNY",
    "Europe": "EUR",
    "North America": "USD",
}
CNY_RATE = {"CNY": 1.0, "EUR": 0.13, "USD": 0.14}

SUPPLIERS = [
    Supplier("SUP-01", "苏州精密电路板有限公司", "East China", 7, True),
    Supplier("SUP-02", "深圳芯源电子有限公司", "South China", 10, False),
    Supplier("SUP-03", "东莞精密连接器有限公司", "South China", 5, True),
    Supplier("SUP-04", "宁波线缆有限公司", "East China", 6, True),
    Supplier("SUP-05", "常州新材料有限公司", "East China", 8, True),
    Supplier("SUP-06", "昆山包装材料有限公司", "East China", 4, True),
]
SUPPLIER_OF = {
    "RM-PCB-4L": "SUP-01",
    "RM-IC-MCU": "SUP-02",
    "RM-IC-DRV": "SUP-02",
    "RM-IC-SNS": "SUP-02",
    "RM-CONN-8P": "SUP-03",
    "RM-TERM": "SUP-03",
    "RM-WIRE-1.5": "SUP-04",
    "RM-RESIN": "SUP-05",
    "RM-HOUS-AL": "SUP-05",
    "PKG-CTN-S": "SUP-06",
    "PKG-CTN-L": "SUP-06",
    "PKG-TRAY": "SUP-06",
}

DEFECT_CODES = [
    ("D-BRIDGE", "Solder bridge", "焊锡桥接", "Soldering"),
    ("D-INSUFF", "Insufficient solder", "少锡", "Soldering"),
    ("D-TOMB", "Tombstoned component", "立碑", "Placement"),
    ("D-MISS", "Missing component", "缺件", "Placement"),
    ("D-SHIFT", "Component shifted", "元件偏移", "Placement"),
    ("D-DIM", "Dimension out of tolerance", "尺寸超差", "Dimensional"),
    ("D-TORQ", "Screw torque out of range", "扭力异常", "Assembly"),
    ("D-CRIMP", "Bad crimp", "压接不良", "Assembly"),
    ("D-FUNC", "Functional test failure", "功能测试失败", "Electrical"),
    ("D-SCRATCH", "Housing scratch", "外壳划伤", "Cosmetic"),
    ("D-LABEL", "Wrong or missing label", "标签错误或缺失", "Packing"),
    ("D-DAMAGE", "Packaging damage", "包装破损", "Packing"),
]


def _machine_count(total: int, scale: float) -> int:
    if scale >= 1:
        return total
    return max(1, round(total * scale))


def build_factory(scale: float) -> Factory:
    """The factory for a scale: scale >= 1 adds whole sets of lines, < 1 trims machines."""
    sets = max(1, round(scale))
    materials = [
        Material(
            fid,
            f"{FAMILIES[fam][0]} {en}",
            f"{FAMILIES[fam][1]} {zh}",
            "FG",
            "PCS",
            cost,
            FAMILIES[fam][0],
        )
        for fid, fam, en, zh, cost, _ in FINISHED_GOODS
    ]
    materials += [
        Material(mid, en, zh, mtype, uom, cost) for mid, en, zh, mtype, uom, cost in COMPONENTS
    ]
    family_of = {fid: fam for fid, fam, *_ in FINISHED_GOODS}
    cycle_factor = {fid: f for fid, *_, f in FINISHED_GOODS}
    bom = {fid: [(m, float(q)) for m, q in BOM[fam]] for fid, fam in family_of.items()}

    lines: list[Line] = []
    routings: dict[tuple[str, str], float] = {}
    for plant in PLANTS:
        fams = PLANT_FAMILIES[plant.plant_id]
        for k in range(1, sets + 1):
            specs = [("SMT", 2 * k - 1, 1), ("SMT", 2 * k, 0), ("ASSY", k, 1), ("PACK", k, 1)]
            for kind, number, variant in specs:
                allowed = [f for f in fams if kind != "SMT" or f in SMT_FAMILIES]
                products = [fid for fid, fam in family_of.items() if fam in allowed]
                line_id = f"{plant.plant_id}-{kind}{number}"
                line = Line(line_id, plant.plant_id, kind, number, LINE_AREAS[kind], products)
                if line_id == "DG-SMT2":
                    line.scrap_factor = 3.0
                machines = LINE_MACHINES[(kind, variant)]
                keep = _machine_count(len(machines), scale)
                for j, mkind in enumerate(machines[:keep], start=1):
                    en, zh, cycle, run_kw, idle_kw, mtbf, mttr = MACHINE_TYPES[mkind]
                    # Deterministic per-machine spread so sister machines differ a little.
                    spread = 1 + ((hash_id(line_id, j) % 21) - 10) / 100
                    eq = Equipment(
                        equipment_id=f"{line_id}-M{j:02d}",
                        name_en=en,
                        name_zh=zh,
                        line_id=line_id,
                        area=LINE_AREAS[kind],
                        plant_id=plant.plant_id,
                        kind=mkind,
                        mtbf_h=mtbf * spread,
                        mttr_min=mttr * (2 - spread),
                        run_kw=run_kw * spread,
                        idle_kw=idle_kw * spread,
                        speed_factor=1.03 + (hash_id(line_id, j) % 6) / 100,
                    )
                    line.equipment.append(eq)
                    for fid in products:
                        routings[(fid, eq.equipment_id)] = round(cycle * cycle_factor[fid], 1)
                lines.append(line)

    warehouses = []
    for plant in PLANTS:
        warehouses.append(
            Warehouse(
                f"{plant.plant_id}-RM",
                plant.plant_id,
                f"{plant.name_en} raw material store / {plant.name_zh}原材料仓",
                "RM",
            )
        )
        warehouses.append(
            Warehouse(
                f"{plant.plant_id}-FG",
                plant.plant_id,
                f"{plant.name_en} finished goods store / {plant.name_zh}成品仓",
                "FG",
            )
        )
    return Factory(
        PLANTS,
        SHIFTS,
        lines,
        materials,
        bom,
        routings,
        CUSTOMERS,
        SUPPLIERS,
        SUPPLIER_OF,
        warehouses,
        DEFECT_CODES,
    )


def hash_id(text: str, salt: int) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    value = salt * 131
    for ch in text:
        value = (value * 31 + ord(ch)) % 1_000_003
    return value
