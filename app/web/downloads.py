"""Every table and chart's data as CSV, Excel or Parquet, built only when clicked, and only
for users whose role may download (admin, analyst). Each download is audited: who, which
table, which format, how many rows."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from app.accounts import Accounts, Action, User, can
from app.web import session
from metrics.i18n import t

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def to_bytes(frame: pl.DataFrame, kind: str) -> bytes:
    """The frame serialised as csv, xlsx or parquet."""
    buffer = io.BytesIO()
    if kind == "csv":
        frame.write_csv(buffer)
    elif kind == "xlsx":
        frame.write_excel(buffer, autofit=True)
    elif kind == "parquet":
        frame.write_parquet(buffer)
    else:
        raise ValueError(f"unknown download format {kind!r}")
    return buffer.getvalue()


def audited_bytes(
    frame: pl.DataFrame, name: str, kind: str, user: User | None, store: Accounts
) -> bytes:
    """The file of a download, recorded in the audit log as it is made (Streamlit makes it
    when the button is clicked, outside the script run: the user is captured beforehand)."""
    content = to_bytes(frame, kind)
    store.audit(
        user,
        "download",
        {"name": name, "format": kind, "rows": frame.height, "columns": frame.width},
    )
    return content


def download_buttons(
    frame: pl.DataFrame, name: str, lang: str, kinds: tuple[str, ...] = ("csv", "xlsx")
) -> None:
    """A row of small download buttons; files are produced lazily on click. Nothing for a
    user whose role may not download."""
    user = session.current_user()
    if not can(user, Action.DOWNLOAD):
        return
    store = session.accounts()
    columns = st.columns(len(kinds) + 4)
    columns[0].caption(t("download", lang))
    for column, kind in zip(columns[1:], kinds, strict=False):
        column.download_button(
            t(f"download_{kind}", lang),
            data=lambda kind=kind: audited_bytes(frame, name, kind, user, store),
            file_name=f"{name}.{kind}",
            mime=MIME[kind],
            key=f"dl-{name}-{kind}",
            on_click="ignore",
            type="tertiary",
            icon=":material/download:",
        )
