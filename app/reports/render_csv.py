"""The CSV copies: one file per section, raw numbers (ratios as fractions), UTF-8 with a
byte-order mark so Excel opens Chinese labels correctly."""

from __future__ import annotations

import re
from pathlib import Path

from app.reports.content import ReportContent

_UNSAFE = re.compile(r"[^\w\-]+")


def render_csv(content: ReportContent, folder: Path, stem: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, section in enumerate(content.sections, start=1):
        name = _UNSAFE.sub("_", section.section.title["en"]).strip("_").lower() or "section"
        path = folder / f"{stem}_{index:02d}_{name}.csv"
        frame = section.frame.rename({c: section.headers.get(c, c) for c in section.frame.columns})
        path.write_bytes(b"\xef\xbb\xbf" + frame.write_csv().encode("utf-8"))
        paths.append(path)
    return paths
