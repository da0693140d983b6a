"""Every table and chart's data as CSV, Excel or Parquet, built only when clicked."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

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


def download_buttons(
    frame: pl.DataFrame, name: str, lang: str, kinds: tuple[str, ...] = ("csv", "xlsx")
) -> None:
    """A row of small download buttons; files are produced lazily on click."""
    columns = st.columns(len(kinds) + 4)
    columns[0].caption(t("download", lang))
    for column, kind in zip(columns[1:], kinds, strict=False):
        column.download_button(
            t(f"download_{kind}", lang),
            data=lambda kind=kind: to_bytes(frame, kind),
            file_name=f"{name}.{kind}",
            mime=MIME[kind],
            key=f"dl-{name}-{kind}",
            on_click="ignore",
            type="tertiary",
            icon=":material/download:",
        )
