"""Every page of the real app in every language, as a plant manager sees it in Chromium:
a full-page screenshot of each is kept (test-artifacts/screenshots/<lang>/, or
$ANDON_SCREENSHOTS) and each is read the way a person would read it:

- every category on a chart axis is labelled, and no label is cut short ("…"): Vega's SVG
  tells how many values a discrete axis has (its ARIA label) and which labels it hid
  because they overlapped (opacity 0); date axes may thin their labels, categories may not;
- no fixed English text of the catalogue shows on a page in another language;
- no timestamp is shown as a raw ISO/UTC string;
- nothing on the page is an error.
"""

from __future__ import annotations

import os
import re
import shutil
import string
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.cli.users import DEMO_USERS
from metrics.i18n import LANGS, catalogue, t
from metrics.registry import load_registry
from tests.app.web.chromium import (
    HAS_CHROMIUM,
    check_clean,
    chromium,
    demo_accounts,
    new_tab,
    serve_app,
    settle,
)
from warehouse.location import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not HAS_CHROMIUM, reason="no system Chromium")

SHOTS = Path(os.environ.get("ANDON_SCREENSHOTS", PROJECT_ROOT / "test-artifacts" / "screenshots"))
WIDTH = 1500
ISO_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|\+00:00| UTC)")
NAV = "[data-testid=stSidebarNavLink]"
PASSWORDS = {username: password for username, _, _, _, password in DEMO_USERS}
# Per axis of every chart: its ARIA label, and its labels' text and whether they are shown.
AXES = """() => Array.from(document.querySelectorAll('[data-testid=stMain] .vega-embed')).map(
  chart => Array.from(chart.querySelectorAll('g.role-axis')).map(axis => ({
    aria: axis.getAttribute('aria-label') || '',
    labels: Array.from(axis.querySelectorAll('g.role-axis-label text')).map(
      label => ({text: label.textContent, shown: label.getAttribute('opacity') !== '0'}))
  })).concat(Array.from(chart.querySelectorAll('g.role-legend-label text')).map(
      label => ({aria: 'legend', labels: [{text: label.textContent, shown: true}]})))
)"""
# The page's text as a reader sees it: main area and sidebar, without icon ligature names
# (a Material icon is written as its name, e.g. "inventory_2", in an icon font).
READABLE_TEXT = """() => ['[data-testid=stMain]', '[data-testid=stSidebar]'].map(selector => {
  const area = document.querySelector(selector);
  if (!area) return '';
  const copy = area.cloneNode(true);
  copy.querySelectorAll('[data-testid=stIconMaterial]').forEach(icon => icon.remove());
  document.body.appendChild(copy);
  const text = copy.innerText;
  copy.remove();
  return text;
}).join('\\n')"""
# A word of running text: not part of an identifier, file name or path (work_orders, a.yaml)
WORD = re.compile(r"(?<![A-Za-z0-9_./-])[A-Za-z]{3,}(?![A-Za-z0-9_./-])")
DISCRETE = re.compile(r"(?:titled '(?P<title>.*?)' )?for a discrete scale with (?P<n>\d+) value")


@pytest.fixture(scope="module")
def server(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    state = tmp_path_factory.mktemp("screenshots") / "state.sqlite"
    demo_accounts(state)
    with serve_app(built_warehouse, state) as url:
        yield url


def english_phrases(lang: str) -> list[str]:
    """The catalogue's fixed English phrases (two words or more, placeholders cut out) whose
    text in `lang` is different: none of them may show on a page in `lang`."""
    phrases = set()
    for key, texts in catalogue().items():
        english, own = texts.get("en", ""), t(key, lang)
        if key.startswith("fmt_") or "`" in english:
            continue
        for literal, *_ in string.Formatter().parse(english):
            piece = literal.strip(" .:,;·()—–-")
            if len(piece.split()) >= 2 and piece not in own:
                phrases.add(piece)
    return sorted(phrases)


def english_words() -> set[str]:
    """Lower-case words the catalogue uses only in English (three letters or more): on a
    Chinese page none of them may show (Chinese pages carry no English data labels)."""
    words = {
        word.lower()
        for key, texts in catalogue().items()
        if not key.startswith(("fmt_", "language_name"))
        for word in re.findall(r"[A-Za-z]{3,}", re.sub(r"`[^`]*`|\{[^}]*\}", "", texts["en"]))
    }
    registry = load_registry()
    named = [*registry.metrics.values(), *registry.dimensions.values()]
    chinese = " ".join(
        [texts.get("zh", "") for texts in catalogue().values()] + [m.label("zh") for m in named]
    ).lower()
    names = " ".join(t("language_name", lang) for lang in LANGS).lower()  # the switcher's
    elsewhere = f"{chinese} {names}"
    return {word for word in words if not re.search(rf"(?<![a-z]){word}(?![a-z])", elsewhere)}


def kept_english(lang: str) -> list[str]:
    """Texts the catalogue keeps in English on purpose in `lang` (e.g. example questions
    the question box reads only in English): cut from a page before looking for English."""
    kept = {texts["en"] for texts in catalogue().values() if texts.get(lang) == texts["en"]}
    return sorted((text for text in kept if "{" not in text), key=len, reverse=True)


def unreadable_labels(axes: list[list[dict]], date_title: str) -> list[str]:
    """What a reader cannot read on the charts: hidden category labels, labels cut short."""
    problems = []
    for number, chart in enumerate(axes, 1):
        for axis in chart:
            labels = axis["labels"]
            cut = [label["text"] for label in labels if label["text"].endswith("…")]
            if cut:
                problems.append(f"chart {number}: labels cut short: {cut}")
            discrete = DISCRETE.search(axis["aria"])
            if discrete is None or discrete["title"] == date_title:
                continue  # numbers and dates may thin their labels; categories may not
            shown = sum(label["shown"] for label in labels)
            if shown < int(discrete["n"]):
                hidden = f"{shown} of {discrete['n']} labels shown on {axis['aria']}"
                problems.append(f"chart {number}: {hidden}")
    return problems


def full_page(tab, path: Path) -> None:  # noqa: ANN001
    """A screenshot of the whole page: the viewport grown to the main area's height."""
    height = tab.evaluate(
        "() => Math.max(1000, document.querySelector('[data-testid=stMain]').scrollHeight,"
        " document.querySelector('[data-testid=stSidebar]')?.scrollHeight || 0)"
    )
    tab.set_viewport_size({"width": WIDTH, "height": min(int(height) + 40, 12000)})
    settle(tab)
    tab.wait_for_timeout(800)  # charts re-lay out to the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size({"width": WIDTH, "height": 1000})


def wait_for_charts(tab) -> None:  # noqa: ANN001
    tab.wait_for_function(
        "() => Array.from(document.querySelectorAll('.vega-embed'))"
        ".every(chart => chart.querySelector('svg'))"
    )
    tab.wait_for_timeout(500)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_reads_well(server: str, lang: str) -> None:
    phrases = english_phrases(lang) if lang != "en" else []
    words = english_words() if lang == "zh" else set()
    kept = kept_english(lang) if lang != "en" else []
    problems: dict[str, list[str]] = {}
    shutil.rmtree(SHOTS / lang, ignore_errors=True)
    with chromium() as browser:
        tab = new_tab(browser)
        tab.goto(f"{server}/?lang={lang}&period=last_month")
        settle(tab)
        tab.locator("input[type=text]").first.fill("admin")
        tab.locator("input[type=password]").fill(PASSWORDS["admin"])
        tab.keyboard.press("Enter")
        tab.wait_for_selector(NAV)
        settle(tab)
        count = tab.locator(NAV).count()
        assert count >= 9
        for index in range(count):
            link = tab.locator(NAV).nth(index)
            name = urlparse(link.get_attribute("href") or "").path.strip("/") or "overview"
            link.click()
            settle(tab)
            wait_for_charts(tab)
            check_clean(tab)
            full_page(tab, SHOTS / lang / f"{index:02d}-{name}.png")
            found = unreadable_labels(tab.evaluate(AXES), t("date", lang))
            text = tab.evaluate(READABLE_TEXT)
            for allowed in kept:
                text = text.replace(allowed, " ")
            found += [f"English: {p!r}" for p in phrases if re.search(rf"\b{re.escape(p)}\b", text)]
            if name != "workbench":  # the workbench shows query results as the data has them
                found += [
                    f"English word: {w!r}"
                    for w in sorted({w.lower() for w in WORD.findall(text)} & words)
                ]
                found += [f"raw timestamp: {m.group(0)!r}" for m in ISO_TIMESTAMP.finditer(text)]
            if found:
                problems[name] = found
    assert not problems, "\n".join(f"{page}: {p}" for page, ps in problems.items() for p in ps)
