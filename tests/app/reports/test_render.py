"""The rendered files, read back: PDF text in three languages (header and footer with page
numbers on every page, the generated time in the plant's time zone), the charts' value and
target labels, XLSX numbers, column widths, heading rows and properties, CSV per section with
whole quantities, and the KPI summary CSV.

Hand-worked values (tests/metrics/factory.py, KPIS.md): Suzhou on 2026-10-06 runs only
SMT Line 1 (贴片一线): OEE 12,900 / 24,000 = 53.75 %, availability 0.6, 230 units produced;
first pass yield 215 / 230 = 93.48 %, scrap 10 / 230 = 4.35 %.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest
import vl_convert as vlc
from PIL import Image
from pypdf import PdfReader

from app.reports.charts import chart_spec, value_domain
from app.reports.content import build_content
from app.reports.definitions import parse_report
from app.reports.fonts import SAMPLE, missing, report_font
from app.reports.render_xlsx import display_width
from app.reports.runner import render_copy
from metrics.periods import resolve
from metrics.scope import Scope
from tests.app.reports.conftest import DAILY
from tests.metrics.factory import build_warehouse

DAY = date(2026, 10, 7)  # the as-of date: the copy shows 2026-10-06
SZ = Scope.of({"SZ"})  # the Suzhou copy reads Suzhou's rows only
AT = datetime(2026, 10, 7, 0, 30, tzinfo=UTC)  # 08:30 in Suzhou, 07:30 in Vietnam
# The daily report scheduled in UTC: its copies' times still show in their plant's zone.
REPORT = parse_report(
    {
        **DAILY,
        "schedule": {"cron": "30 7 * * *", "timezone": "UTC"},
        "sections": [
            *DAILY["sections"],
            {
                "title": {"en": "Availability by line", "zh": "各产线可用率", "vi": "Sẵn sàng"},
                "metrics": ["availability"],
                "by": ["line"],
                "show": "chart",
            },
            {
                "title": {"en": "OEE by day", "zh": "每日设备综合效率", "vi": "OEE theo ngày"},
                "metrics": ["oee"],
                "grain": "day",
                "show": "chart",
            },
        ],
    }
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked marts with each plant's time zone and country."""
    path = build_warehouse(tmp_path_factory.mktemp("render") / "andon.duckdb")
    con = duckdb.connect(str(path))
    for column in ("timezone", "country"):
        con.execute(f"alter table marts.dim_plant add column if not exists {column} varchar")
    con.execute("update marts.dim_plant set timezone = 'Asia/Shanghai', country = 'CN'")
    con.close()
    return path


@pytest.fixture(scope="module")
def con(warehouse: Path):
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def _pages(pdf: Path) -> list[str]:
    """Each page's text (pdftotext reads fpdf2's CJK font cleanly), whitespace kept."""
    count = len(PdfReader(pdf).pages)
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def _render(con, lang: str, tmp_path: Path, report=REPORT):  # noqa: ANN001, ANN202
    return render_copy(report, "SZ", lang, DAY, con, tmp_path / lang, scope=SZ, generated_at=AT)


def test_pdf_header_and_footer_on_every_page_in_three_languages(con, tmp_path: Path) -> None:  # noqa: ANN001
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: install poppler-utils (system-packages.txt)")
    expected = {
        "zh": (
            "工厂每日KPI日报",
            "苏州工厂 · 统计期间：2026年10月6日",
            "生成时间：2026年10月7日 08:30（Asia/Shanghai）",
            "第 {n} 页，共 {total} 页",
        ),
        "en": (
            "Daily plant KPIs",
            "Suzhou Plant · Period: 6 Oct 2026",
            "Generated 7 Oct 2026 08:30 (Asia/Shanghai)",
            "Page {n} of {total}",
        ),
        "vi": (
            "Daily plant KPIs",
            "Suzhou Plant · Kỳ báo cáo: 06/10/2026",
            "Tạo lúc 08:30 07/10/2026 (Asia/Shanghai)",
            "Trang {n}/{total}",
        ),
    }
    for lang, (title, subtitle, generated, page) in expected.items():
        files, _ = _render(con, lang, tmp_path)
        pages = _pages(files[0])
        assert len(pages) >= 2, lang  # four sections, two of them charts
        for n, text in enumerate(pages, start=1):
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            assert title in lines[0] and subtitle in " ".join(lines[:2]), (lang, n)
            footer = " ".join(lines[-1].split())
            assert footer.startswith(generated), (lang, n, footer)
            assert footer.endswith(page.format(n=n, total=len(pages))), (lang, n, footer)
    zh = " ".join(_pages(_render(con, "zh", tmp_path)[0][0])[0].split())
    for words in ("设备综合效率", "53.8%", "目标 85.0%", "未达标", "贴片一线"):
        assert words in zh


def _words(pdf: Path, page: int) -> list[tuple[str, float, float, float]]:
    """(word, x min, x max, y min) of each word on `page`, from pdftotext's bounding boxes."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)<', html
    )
    return [(word, float(x0), float(x1), float(y0)) for x0, y0, x1, word in found]


def test_tables_right_align_numbers(con, tmp_path: Path) -> None:  # noqa: ANN001
    files, _ = _render(con, "en", tmp_path)
    words = [
        w for page in range(1, len(PdfReader(files[0]).pages) + 1) for w in _words(files[0], page)
    ]
    # the components table: "Line OEE Availability Produced quantity", then SMT Line 1 … 230
    heading = {word: (x0, x1) for word, x0, x1, _ in words if word in ("Availability", "quantity")}
    value = {word: (x0, x1) for word, x0, x1, _ in words if word in ("60.0%", "230")}
    assert value["60.0%"][1] == pytest.approx(heading["Availability"][1], abs=0.5)  # flush right
    assert value["230"][1] == pytest.approx(heading["quantity"][1], abs=0.5)
    assert value["230"][0] > heading["quantity"][0] + 10  # a short number sits at the right


def test_charts_label_values_and_target_and_show_the_spread(con) -> None:  # noqa: ANN001
    period = resolve(REPORT.period, DAY)
    content = build_content(REPORT, "SZ", "en", period, con, scope=SZ, generated_at=AT)
    spec = chart_spec(content.sections[0])
    svg = vlc.vegalite_to_svg(spec)
    assert ">53.8%</text>" in svg  # the bar's value
    assert ">Target 85.0%</text>" in svg  # the target line's label
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert {layer["mark"].get("color") for layer in texts} >= {"#e45756"}  # metrics.colours
    bars = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    assert bars[0]["mark"]["color"] == "#4c78a8"  # OEE's colour on every chart
    # values between 80 % and 95 %: the axis starts below them, not at 0
    assert value_domain([0.82, 0.88, 0.93], 0.85) == (pytest.approx(0.8), pytest.approx(0.95))
    assert value_domain([0.2, 0.9], 0.85) is None  # a spread reaching far down starts at 0
    zh = build_content(REPORT, "SZ", "zh", period, con, scope=SZ, generated_at=AT)
    assert ">目标 85.0%</text>" in vlc.vegalite_to_svg(chart_spec(zh.sections[0]))


def test_the_report_font_draws_vietnamese_and_chinese(con, tmp_path: Path) -> None:  # noqa: ANN001
    assert missing(report_font(), SAMPLE) == ""
    assert missing(report_font(), "Nhà máy Hải Phòng – Hiệu suất thiết bị tổng thể") == ""
    vi = REPORT.model_copy(update={"title": {**REPORT.title, "vi": "Báo cáo KPI hằng ngày"}})
    files, _ = _render(con, "vi", tmp_path, vi)
    text = " ".join(_pages(files[0])[0].split())
    assert "Báo cáo KPI hằng ngày" in text and "Hiệu suất thiết bị tổng thể (OEE)" in text
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: install poppler-utils (system-packages.txt)")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(files[0]), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    assert sum(image.histogram()[:128]) > 2000  # text, cards and the chart, not a blank page


def test_xlsx_numbers_headings_widths_and_properties(con, tmp_path: Path) -> None:  # noqa: ANN001
    files, _ = _render(con, "zh", tmp_path)
    book = openpyxl.load_workbook(next(f for f in files if f.suffix == ".xlsx"))
    assert book.sheetnames[:3] == ["KPI", "各产线设备综合效率", "各产线OEE构成"]
    props = book.properties
    assert (props.title, props.subject, props.creator) == (
        "工厂每日KPI日报",
        "苏州工厂 · 2026年10月6日",
        "Andon",
    )
    assert props.created == datetime(2026, 10, 7, 0, 30)  # UTC, as workbooks keep it
    kpis = book["KPI"]
    assert [kpis.cell(r, 1).value for r in range(1, 5)] == [
        "工厂每日KPI日报",
        "工厂：苏州工厂",
        "统计期间：2026年10月6日",
        "生成时间：2026年10月7日 08:30（Asia/Shanghai）",
    ]
    assert kpis.freeze_panes == "A7"  # the table's header is row 6
    assert [c.value for c in kpis[6]] == ["指标", "数值", "目标", "上期", "状态"]
    assert kpis["A7"].value == "设备综合效率"
    assert kpis["B7"].value == pytest.approx(0.5375) and kpis["B7"].number_format == "0.0%"
    assert kpis["C7"].value == pytest.approx(0.85)
    # widths fit the longest text + 2, a Chinese character counting two (xlsxwriter adds 0.71)
    assert display_width("时间开动率/可用率") == 17
    assert kpis.column_dimensions["A"].width == pytest.approx(19.71, abs=0.01)
    sheet = book["各产线OEE构成"]
    assert [c.value for c in sheet[6]] == ["产线", "设备综合效率", "时间开动率/可用率", "产量"]
    assert [c.value for c in sheet[7]][1:] == [pytest.approx(0.5375), pytest.approx(0.6), 230]
    assert sheet["D7"].number_format == "#,##0"
    widths = {k: round(v.width, 2) for k, v in sheet.column_dimensions.items()}
    assert widths == {"A": 10.71, "B": 14.71, "C": 19.71, "D": 8.71}  # 8 + 2, 12 + 2, 17 + 2, 8
    assert sheet.auto_filter.ref == "A6:D7"


def test_csv_per_section_with_whole_quantities(con, tmp_path: Path) -> None:  # noqa: ANN001
    files, _ = _render(con, "zh", tmp_path)
    csvs = [f for f in files if f.suffix == ".csv"]
    assert [f.name.split("_2026-10-06_")[1] for f in csvs] == [
        "00_kpi_summary.csv",
        "01_oee_by_line.csv",
        "02_oee_components_by_line.csv",
        "03_availability_by_line.csv",
        "04_oee_by_day.csv",
    ]
    assert csvs[2].read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert csvs[2].read_text(encoding="utf-8-sig").splitlines() == [
        "产线,设备综合效率,时间开动率/可用率,产量",
        "贴片一线,0.5375,0.6,230",  # 230 units, not 230.0
    ]


def test_kpi_summary_csv_one_row_per_kpi(con, tmp_path: Path) -> None:  # noqa: ANN001
    report = REPORT.model_copy(update={"kpis": ("oee", "first_pass_yield", "produced_qty")})
    files, _ = _render(con, "zh", tmp_path, report)
    summary = next(f for f in files if f.name.endswith("_kpi_summary.csv"))
    assert summary.read_text(encoding="utf-8-sig").splitlines() == [
        "metric,label,value,unit,target,status,plant,period",
        "oee,设备综合效率,0.5375,ratio,0.85,red,SZ,2026-10-06",
        "first_pass_yield,直通率,0.9347826086956522,ratio,0.98,red,SZ,2026-10-06",
        "produced_qty,产量,230,units,,none,SZ,2026-10-06",
    ]


def test_bad_definition_lists_every_problem() -> None:
    from app.reports.definitions import DefinitionError

    bad = {**DAILY, "period": "fortnight", "kpis": ["oee", "nope"], "formats": ["docx"]}
    with pytest.raises(DefinitionError) as error:
        parse_report(bad)
    message = str(error.value)
    assert "fortnight" in message and "'nope'" in message and "docx" in message
