"""Drill-down plant → line → equipment on the Equipment page.

The level follows the sidebar: no plant chosen shows plants, a plant shows its lines, a
line its equipment. A click on a bar (Altair selection) or a pick from the list sets the
sidebar filter in a callback, before the widgets are drawn, so the URL follows too.
"""

from __future__ import annotations

import streamlit as st

from app.web.filters import Filters

DRILL_LEVELS = ("plant", "line", "equipment")
SELECTION = "drill"
EQUIPMENT_STATE = "drill_equipment"


def drill_level(filters: Filters) -> tuple[int, str | None]:
    """(level index into DRILL_LEVELS, the chosen parent key or None)."""
    if filters.line:
        return 2, filters.line
    if filters.plant:
        return 1, filters.plant
    return 0, None


def apply_pick(level: int, value: str | None) -> None:
    """Go one level down to `value` (at the equipment level: show that machine)."""
    if not value:
        return
    if level == 0:
        st.session_state["f_plant"] = value
        st.session_state["f_line"] = ""
    elif level == 1:
        st.session_state["f_line"] = value
    st.session_state[EQUIPMENT_STATE] = value if level == 2 else None


def selected_key(event: object, id_column: str) -> str | None:
    """The key of the clicked bar from a chart's selection state, if any."""
    try:
        points = event["selection"][SELECTION]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    if isinstance(points, list) and points:
        return points[0].get(id_column)
    return None


def on_bar_click(level: int, id_column: str) -> None:
    apply_pick(level, selected_key(st.session_state.get(f"drill_chart_{level}"), id_column))


def on_pick(level: int) -> None:
    apply_pick(level, st.session_state.get(f"drill_pick_{level}"))


def clear_drill() -> None:
    st.session_state["f_plant"] = ""
    st.session_state["f_line"] = ""
    st.session_state[EQUIPMENT_STATE] = None
