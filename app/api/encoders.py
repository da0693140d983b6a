"""Output formats: JSON, CSV, XLSX (for Excel), Parquet and Arrow IPC, chosen by the
`format` parameter or else the Accept header (`format=` wins). One encoder per format,
each from a `Result`: a JSON document and, for tabular answers, its rows as a DataFrame."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from app.api.problems import Problem


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str
    tabular: bool  # needs rows (a DataFrame); JSON also carries the document around them


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/json", "json", False),
        Format("csv", "text/csv; charset=utf-8", "csv", True),
        Format(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            True,
        ),
        Format("parquet", "application/vnd.apache.parquet", "parquet", True),
        Format("arrow", "application/vnd.apache.arrow.stream", "arrow", True),
    )
}
ALIASES = {
    "application/json": "json",
    "text/csv": "csv",
    "application/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.arrow.file": "arrow",
    "application/json+problem": "json",
    "application/*": "json",
    "text/*": "csv",
    "*/*": "json",
}
FORMAT_NAMES = tuple(FORMATS)


@dataclass
class Result:
    """An answer before encoding: `document` is the JSON body without its rows; `rows` the
    table (None for an answer that is only a document)."""

    document: dict[str, Any] = field(default_factory=dict)
    rows: pl.DataFrame | None = None
    rows_key: str = "rows"  # where the rows go in the JSON body

    @property
    def row_count(self) -> int:
        return self.rows.height if self.rows is not None else 0


def choose(format_param: str | None, accept: str | None, *, tabular: bool = True) -> Format:
    """The format to answer in: `format=` if given, else the best Accept entry we speak."""
    if format_param:
        name = format_param.strip().lower()
        if name not in FORMATS:
            raise Problem(
                406,
                "not-acceptable",
                f"Unknown format {format_param!r}: use one of {', '.join(FORMAT_NAMES)}.",
            )
        chosen = FORMATS[name]
    else:
        chosen = _from_accept(accept)
    if chosen.tabular and not tabular:
        raise Problem(
            406,
            "not-acceptable",
            f"This endpoint answers in JSON only, not {chosen.name}: use format=json.",
        )
    return chosen


def _from_accept(accept: str | None) -> Format:
    if not accept or not accept.strip():
        return FORMATS["json"]
    offers = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media, quality = pieces[0].lower(), 1.0
        for parameter in pieces[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            offers.append((-quality, position, media))
    for _, _, media in sorted(offers):
        if media in ALIASES:
            return FORMATS[ALIASES[media]]
    raise Problem(
        406,
        "not-acceptable",
        f"None of Accept: {accept} is a format Andon answers in: accept one of "
        + ", ".join(f.media_type.split(";")[0] for f in FORMATS.values())
        + ", or give format=json|csv|xlsx|parquet|arrow.",
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def encode(result: Result, chosen: Format) -> bytes:
    if chosen.name == "json":
        body = dict(result.document)
        if result.rows is not None:
            body["columns"] = [
                {"name": name, "type": str(dtype)} for name, dtype in result.rows.schema.items()
            ]
            body[result.rows_key] = [
                {key: _plain(value) for key, value in row.items()}
                for row in result.rows.iter_rows(named=True)
            ]
            body["row_count"] = result.rows.height
        return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    frame = result.rows if result.rows is not None else pl.DataFrame()
    frame = _flat(frame)
    if chosen.name == "csv":
        # with a byte-order mark, Excel opens it as UTF-8 (Chinese labels stay readable)
        return b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8")
    buffer = io.BytesIO()
    if chosen.name == "xlsx":
        frame.write_excel(buffer, worksheet="andon", autofit=True)
    elif chosen.name == "parquet":
        frame.write_parquet(buffer)
    else:
        frame.write_ipc_stream(buffer)
    return buffer.getvalue()


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists (e.g. a metric's dimensions) joined as text: CSV and Excel hold scalars only."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    if not lists:
        return frame
    return frame.with_columns(pl.col(name).list.join(", ") for name in lists)
