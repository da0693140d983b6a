"""Shift calendars: where each plant's shifts, breaks and days off fall in a production day.

A production day is simulated as one 24-hour window that opens at the plant's first shift
start, so every shift that starts on a date lies inside that date's window (SZ C ends at
06:00 next morning, HP B at midnight).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .factory import DAY_S, Plant, ShiftDef

SLOT_S = 900  # SCADA interval; every shift boundary falls on one
SLOTS = DAY_S // SLOT_S

# Tết (Lunar New Year) first day; the holiday runs from the eve to the third day.
TET = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
}
WORKDAYS = {"SZ": range(7), "DG": range(7), "HP": range(5)}


def holidays(plant_id: str, year: int) -> set[date]:
    """National holidays a plant closes for (inside shift time they are NOT_SCHEDULED)."""
    if plant_id == "HP":
        first = TET.get(year)
        return {first + timedelta(days=k) for k in range(-1, 4)} if first else set()
    return {date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)}


def local_epoch(day: date) -> int:
    """Seconds since 1970-01-01 00:00 of a plant-local wall-clock midnight (no DST here)."""
    return (day - date(1970, 1, 1)).days * DAY_S


@dataclass
class ShiftSlot:
    code: str
    start: int  # seconds after the window start
    end: int


class PlantCalendar:
    """Shift and break masks of one plant's production-day window (second resolution)."""

    def __init__(self, plant: Plant, shifts: list[ShiftDef]):
        self.plant = plant
        self.shifts = [s for s in shifts if s.plant_id == plant.plant_id]
        self.first_start_s = min(s.start_min for s in self.shifts) * 60
        self.slots: list[ShiftSlot] = []
        self.shift_mask = np.zeros(DAY_S, dtype=bool)
        self.break_mask = np.zeros(DAY_S, dtype=bool)
        self.slot_shift = np.full(SLOTS, -1, dtype=np.int64)
        for index, shift in enumerate(self.shifts):
            start = shift.start_min * 60 - self.first_start_s
            if start < 0:
                start += DAY_S
            end = start + shift.duration_min * 60
            assert end <= DAY_S, "a shift must end inside its production-day window"
            self.slots.append(ShiftSlot(shift.shift_code, start, end))
            self.shift_mask[start:end] = True
            self.slot_shift[start // SLOT_S : end // SLOT_S] = index
            for offset, length in shift.breaks:
                self.break_mask[start + offset * 60 : start + (offset + length) * 60] = True
        self.shift_positions = np.flatnonzero(self.shift_mask)
        self.work_positions = np.flatnonzero(self.shift_mask & ~self.break_mask)
        self.has_off_time = not bool(self.shift_mask.all())
        self.last_end_s = max(slot.end for slot in self.slots)
        self._holidays: dict[int, set[date]] = {}

    def window_start(self, day: date) -> int:
        return local_epoch(day) + self.first_start_s

    def is_holiday(self, day: date) -> bool:
        if day.year not in self._holidays:
            self._holidays[day.year] = holidays(self.plant.plant_id, day.year)
        return day in self._holidays[day.year]

    def is_workday(self, day: date) -> bool:
        return day.weekday() in WORKDAYS[self.plant.plant_id]

    def is_working(self, day: date) -> bool:
        return self.is_workday(day) and not self.is_holiday(day)

    def shift_window(self, start: int, shift_s: int) -> tuple[int, int]:
        """The planned window holding `shift_s` seconds of shift time from `start`, as a
        planner's calendar gives it: it starts at the first shift time from `start` and skips
        the time between shifts and the plant's closed days (weekends, holidays)."""
        day = date(1970, 1, 1) + timedelta(days=(start - self.first_start_s) // DAY_S)
        first, left = None, shift_s
        while True:
            if self.is_working(day):
                w0 = self.window_start(day)
                for slot in self.slots:
                    begin = max(start, w0 + slot.start)
                    if begin >= w0 + slot.end:
                        continue
                    first = begin if first is None else first
                    if left <= w0 + slot.end - begin:
                        return first, begin + left
                    left -= w0 + slot.end - begin
            day += timedelta(days=1)

    def timeline_end(self, end: date) -> int:
        """Local epoch second at which the last shift starting on `end` finishes."""
        return self.window_start(end) + self.last_end_s
