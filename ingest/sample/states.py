"""The state vocabulary: one small integer code per (state, reason) pair.

The simulation paints these codes into a per-second array; a code maps back to the MES
state, reason code and bilingual reason text written to the files. Code 0 is a data gap.
"""

from __future__ import annotations

import numpy as np

UNKNOWN = 0
# (state, reason_code, reason_text)
CODES: list[tuple[str, str, str]] = [
    ("UNKNOWN", "", ""),
    ("RUNNING", "", ""),
    ("SETUP", "CHG", "Product changeover / 产品换型"),
    ("MINOR_STOP", "M-JAM", "Material jam / 卡料"),
    ("MINOR_STOP", "M-ADJ", "Operator adjustment / 操作员微调"),
    ("MINOR_STOP", "M-FEED", "Feeder refill / 补料"),
    ("STARVED", "S-MAT", "Waiting for material / 待料"),
    ("BLOCKED", "B-DOWN", "Downstream full / 下游堵塞"),
    ("PLANNED_STOP", "BRK", "Break / 休息"),
    ("PLANNED_STOP", "PM", "Planned maintenance / 计划保养"),
    ("NOT_SCHEDULED", "", ""),
    ("NOT_SCHEDULED", "HOL", "Public holiday / 法定假日"),
    ("NOT_SCHEDULED", "WKD", "Weekend / 周末"),
    ("UNPLANNED_STOP", "E-MOTOR", "Motor failure / 电机故障"),
    ("UNPLANNED_STOP", "E-SENSOR", "Sensor failure / 传感器故障"),
    ("UNPLANNED_STOP", "E-NOZZLE", "Nozzle clogged / 吸嘴堵塞"),
    ("UNPLANNED_STOP", "E-CONVEYOR", "Conveyor fault / 输送带故障"),
    ("UNPLANNED_STOP", "E-PNEU", "Air pressure low / 气压异常"),
    ("UNPLANNED_STOP", "E-PLC", "Controller fault / 控制器故障"),
]
RUNNING = 1
SETUP = 2
MINOR = (3, 4, 5)
STARVED = 6
BLOCKED = 7
BREAK = 8
PM = 9
NOT_SCHEDULED = 10
HOLIDAY = 11
WEEKEND = 12
BREAKDOWN = tuple(range(13, 19))

# Ground-truth columns, in order; state index per code (UNKNOWN last).
TRUTH_STATES = [
    "running_s",
    "setup_s",
    "unplanned_stop_s",
    "minor_stop_s",
    "starved_s",
    "blocked_s",
    "planned_stop_s",
    "not_scheduled_s",
    "unknown_s",
]
_STATE_INDEX = {
    "RUNNING": 0,
    "SETUP": 1,
    "UNPLANNED_STOP": 2,
    "MINOR_STOP": 3,
    "STARVED": 4,
    "BLOCKED": 5,
    "PLANNED_STOP": 6,
    "NOT_SCHEDULED": 7,
    "UNKNOWN": 8,
}
STATE_INDEX = np.array([_STATE_INDEX[state] for state, _, _ in CODES], dtype=np.int64)
STATE_NAMES = np.array([state for state, _, _ in CODES], dtype=object)
REASON_CODES = np.array([code or None for _, code, _ in CODES], dtype=object)
REASON_TEXTS = np.array([text or None for _, _, text in CODES], dtype=object)
IS_BREAKDOWN = np.isin(np.arange(len(CODES)), BREAKDOWN)
