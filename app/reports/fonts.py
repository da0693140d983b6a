"""Where the CJK font lives: Noto Sans CJK (fonts-noto-cjk) first, WenQuanYi Zen Hei as the
fallback, so PDFs and charts can print Chinese on any Debian machine set up by ./dev."""

from __future__ import annotations

from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
# (file, index in the collection): index 2 of the Noto CJK collection is Simplified Chinese.
CANDIDATES = (
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"), 0),
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
)
BOLD = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"), 2)


class FontMissing(RuntimeError):
    """No CJK font is installed; ./dev installs fonts-noto-cjk (system-packages.txt)."""


def cjk_font() -> tuple[Path, int]:
    for path, index in CANDIDATES:
        if path.exists():
            return path, index
    raise FontMissing(
        "No CJK font found: install fonts-noto-cjk (listed in system-packages.txt; ./dev does)."
    )


def cjk_bold() -> tuple[Path, int]:
    return BOLD if BOLD[0].exists() else cjk_font()


def font_dirs() -> list[Path]:
    return sorted({path.parent for path, _ in CANDIDATES if path.exists()})
