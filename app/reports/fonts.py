"""The font of PDFs and charts: one face that draws every language of the reports — English,
Chinese and Vietnamese (its precomposed letters with diacritics: ầ, ệ, ữ, đ …).

Noto Sans CJK SC (fonts-noto-cjk, set up by ./dev) covers all three; WenQuanYi Zen Hei is the
fallback for Chinese. Each candidate is checked against a sample of every language before it
is used (`missing`), so a machine whose only CJK font lacks Vietnamese letters fails with a
message naming the package to install, rather than printing empty boxes.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont


@dataclass(frozen=True)
class Font:
    path: Path
    index: int  # the face in a collection (.ttc); 0 for a single font
    family: str  # the name charts ask for


# index 2 of the Noto CJK collection is its Simplified Chinese face.
CANDIDATES = (
    Font(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2, "Noto Sans CJK SC"),
    Font(Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"), 0, "Noto Sans CJK SC"),
    Font(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0, "WenQuanYi Zen Hei"),
)
BOLD = {
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"): Font(
        Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 2, "Noto Sans CJK SC"
    ),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"): Font(
        Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"), 0, "Noto Sans CJK SC"
    ),
}
# What every report font must draw: the Vietnamese alphabet (both cases), the Chinese of the
# reports' words, and the signs the reports print.
VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
SAMPLE = (
    VIETNAMESE + VIETNAMESE.upper() + "工厂每日日报设备综合效率目标达标生成时间第页共" + "%·–—…→σ×"
)
REPORT_FAMILY = CANDIDATES[0].family  # what charts name; report_font() says which is used


class FontMissing(RuntimeError):
    """No installed font draws every report language; ./dev installs fonts-noto-cjk
    (system-packages.txt)."""


def _face(font: Font) -> TTFont:
    if font.path.suffix.lower() == ".ttc":
        return TTCollection(str(font.path), lazy=True).fonts[font.index]
    return TTFont(str(font.path), lazy=True)


@functools.cache
def missing(font: Font, sample: str = SAMPLE) -> str:
    """The characters of `sample` the font has no glyph for ("" when it covers them all)."""
    cmap = _face(font).getBestCmap() or {}
    text = unicodedata.normalize("NFC", sample)
    return "".join(dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in cmap))


@functools.cache
def report_font() -> Font:
    """The first installed candidate that draws every report language."""
    gaps = []
    for font in CANDIDATES:
        if not font.path.exists():
            continue
        lacking = missing(font)
        if not lacking:
            return font
        gaps.append(f"{font.path.name} lacks {lacking[:20]}")
    found = "; ".join(gaps) or "none of them is installed"
    raise FontMissing(
        "No font draws Chinese and Vietnamese: install fonts-noto-cjk (listed in "
        f"system-packages.txt; ./dev does). Checked {len(CANDIDATES)} fonts: {found}."
    )


def report_bold() -> Font:
    """The bold face of the report font (the regular one where there is none)."""
    regular = report_font()
    bold = BOLD.get(regular.path)
    return bold if bold is not None and bold.path.exists() and not missing(bold) else regular


def font_dirs() -> list[Path]:
    """The folders of the report fonts, for vl-convert to load."""
    return sorted({report_font().path.parent, report_bold().path.parent})
