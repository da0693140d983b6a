"""The rendered files, read back: PDF text in both languages and page 1 as an image, XLSX
numbers with their number formats, CSV per section."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from app.reports.definitions import parse_report
from app.reports.runner import render_copy
from metrics.scope import Scope
from tests.app.reports.conftest import DAILY

DAY = date(2026, 10, 7)  # the as-of date: the copy shows 2026-10-06
SZ = Scope.of({"SZ"})  # the Suzhou copy reads Suzhou's rows only


@pytest.fixture(scope="module")
def con(marts_file: Path):
    connection = duckdb.connect(str(marts_file), read_only=True)
    yield connection
    connection.close()


def _text(pdf: Path) -> str:
    """All text without whitespace. fpdf2 writes the CJK font's encoding as an inline CMap,
    which pypdf decodes with a NUL after each character (pdftotext reads it cleanly)."""
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    return "".join(text.replace("\x00", "").split())


def test_pdf_in_chinese_and_english(con, tmp_path: Path) -> None:
    report = parse_report(DAILY)
    zh_files, zh = render_copy(report, "SZ", "zh", DAY, con, tmp_path, scope=SZ)
    en_files, en = render_copy(report, "SZ", "en", DAY, con, tmp_path / "en", scope=SZ)
    assert zh.kpis[0].value == pytest.approx(0.5375)  # KPIS.md roll-up example day
    zh_text = _text(zh_files[0])
    for words in (
        "工厂每日KPI日报",
        "苏州工厂",
        "设备综合效率",
        "53.8%",
        "未达标",
        "贴片一线",
        "2026-10-06",
    ):
        assert words in zh_text
    en_text = _text(en_files[0])
    for words in ("DailyplantKPIs", "SuzhouPlant", "OEE", "53.8%", "Offtarget", "2026-10-06"):
        assert words in en_text
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: install poppler-utils (system-packages.txt)")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(zh_files[0]),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 2000  # text, cards and the chart, not a blank page


def test_xlsx_has_real_numbers_with_formats(con, tmp_path: Path) -> None:
    files, _ = render_copy(parse_report(DAILY), "SZ", "en", DAY, con, tmp_path, scope=SZ)
    book = openpyxl.load_workbook(next(f for f in files if f.suffix == ".xlsx"))
    assert book.sheetnames == ["KPIs", "OEE by line", "OEE components by line"]
    kpis = book["KPIs"]
    assert kpis["A2"].value == "OEE"
    assert kpis["B2"].value == pytest.approx(0.5375)
    assert kpis["B2"].number_format == "0.0%"
    assert kpis["C2"].value == pytest.approx(0.85)
    sheet = book["OEE components by line"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Line", "OEE", "Availability", "Produced quantity"]
    assert isinstance(sheet["B2"].value, float) and sheet["B2"].number_format == "0.0%"
    assert sheet["D2"].number_format.startswith("#,##0")


def test_csv_per_section(con, tmp_path: Path) -> None:
    files, _ = render_copy(parse_report(DAILY), "SZ", "zh", DAY, con, tmp_path, scope=SZ)
    csvs = [f for f in files if f.suffix == ".csv"]
    assert len(csvs) == 2
    text = csvs[1].read_text(encoding="utf-8-sig").splitlines()
    assert text[0] == "产线,设备综合效率,时间开动率/可用率,产量"
    assert text[1].startswith("贴片一线,0.5375")


def test_bad_definition_lists_every_problem() -> None:
    from app.reports.definitions import DefinitionError

    bad = {**DAILY, "period": "fortnight", "kpis": ["oee", "nope"], "formats": ["docx"]}
    with pytest.raises(DefinitionError) as error:
        parse_report(bad)
    message = str(error.value)
    assert "fortnight" in message and "'nope'" in message and "docx" in message
