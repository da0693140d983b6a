"""Loading and validating report definitions, alert rules, contacts and channels (reports/*.yaml).

Definitions are data so that plant teams can add a report without touching code; a bad file
fails loudly with every problem listed instead of half-sending a report at 07:30.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metrics.registry import GRAINS, load_registry

ENV_VAR = "ANDON_REPORTS"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "reports"
LANGS = ("en", "zh")
FORMATS = ("pdf", "xlsx", "csv")
SHOWS = ("chart", "table")
SPECIAL_FILES = {"alerts.yaml", "channels.yaml", "contacts.yaml"}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class DefinitionError(ValueError):
    """A report or alert file that cannot be used; the message lists every problem."""


def reports_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The config folder: an explicit path, else $ANDON_REPORTS, else reports/ at the repo root."""
    return Path(override or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def expand_env(value: Any) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string, so secrets stay out of the YAML."""
    if isinstance(value, str):
        return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    if isinstance(value, list):
        return [expand_env(v) for v in value]
    if isinstance(value, dict):
        return {k: expand_env(v) for k, v in value.items()}
    return value


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise DefinitionError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise DefinitionError(f"{path}: not valid YAML ({error})") from None


def _text(value: Any) -> dict[str, str]:
    """A bilingual text: {en, zh}, or one string used for both."""
    if isinstance(value, str):
        return {"en": value, "zh": value}
    if isinstance(value, dict):
        en = str(value.get("en") or value.get("zh") or "")
        return {"en": en, "zh": str(value.get("zh") or en)}
    return {"en": "", "zh": ""}


@dataclass(frozen=True)
class Section:
    title: dict[str, str]
    metrics: tuple[str, ...]
    by: tuple[str, ...] = ()
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    grain: str | None = None
    show: str = "table"
    chart_metric: str | None = None


@dataclass(frozen=True)
class Audience:
    """One recipient list: its language, e-mail addresses and named webhooks."""

    lang: str
    email: tuple[str, ...] = ()
    webhooks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    name: str
    title: dict[str, str]
    language: str
    period: str
    kpis: tuple[str, ...]
    sections: tuple[Section, ...]
    formats: tuple[str, ...]
    cron: str | None
    timezone: str
    burst_per: str | None
    audiences: dict[str, Audience]
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)
    compare: str | None = "previous_period"
    source: str = ""

    def title_in(self, lang: str) -> str:
        return self.title[lang]


def _audience(spec: Any, default_lang: str, where: str, problems: list[str]) -> Audience:
    spec = spec or {}
    lang = spec.get("lang", default_lang)
    if lang not in LANGS:
        problems.append(f"{where}: lang {lang!r} is not one of {LANGS}")
    return Audience(
        lang=lang,
        email=tuple(spec.get("email") or ()),
        webhooks=tuple(spec.get("webhooks") or ()),
    )


def _where(spec: Any) -> dict[str, tuple[str, ...]]:
    return {
        str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v]))
        for k, v in (spec or {}).items()
    }


def parse_report(data: dict[str, Any], source: str = "<report>") -> Report:
    """A validated Report, or DefinitionError naming each bad field."""
    from app.reports.periods import PERIODS

    problems: list[str] = []
    registry = load_registry()
    name = str(data.get("name") or Path(source).stem)
    language = data.get("language", "en")
    if language not in LANGS:
        problems.append(f"language {language!r} is not one of {LANGS}")
    period = data.get("period", "yesterday")
    if period not in PERIODS:
        problems.append(f"period {period!r} is not one of {', '.join(PERIODS)}")
    kpis = tuple(data.get("kpis") or ())
    sections = []
    for i, spec in enumerate(data.get("sections") or []):
        where = f"sections[{i}]"
        show = spec.get("show", "table")
        if show not in SHOWS:
            problems.append(f"{where}.show {show!r} is not one of {SHOWS}")
        grain = spec.get("grain")
        if grain is not None and grain not in GRAINS:
            problems.append(f"{where}.grain {grain!r} is not one of {GRAINS}")
        section = Section(
            title=_text(spec.get("title")),
            metrics=tuple(spec.get("metrics") or ()),
            by=tuple(spec.get("by") or ()),
            where=_where(spec.get("filters")),
            grain=grain,
            show=show,
            chart_metric=spec.get("chart_metric"),
        )
        if not section.metrics:
            problems.append(f"{where}: list at least one metric")
        for dim in section.by:
            if dim not in registry.dimensions:
                problems.append(f"{where}.by: unknown dimension {dim!r}")
        if show == "chart" and not (section.by or section.grain):
            problems.append(f"{where}: a chart needs `by` or `grain`")
        sections.append(section)
    burst = data.get("burst") or {}
    per = burst.get("per")
    for metric in sorted({m for s in sections for m in s.metrics} | set(kpis)):
        if metric not in registry.metrics:
            problems.append(f"unknown metric {metric!r}")
        elif per and per not in registry.metrics[metric].dimensions:
            problems.append(f"metric {metric!r} cannot be split per {per!r}")
    formats = tuple(data.get("formats") or ("pdf", "xlsx"))
    problems += [f"format {f!r} is not one of {FORMATS}" for f in formats if f not in FORMATS]
    schedule = data.get("schedule") or {}
    cron = schedule.get("cron")
    timezone = schedule.get("timezone", "UTC")
    if cron:
        from croniter import croniter

        if not croniter.is_valid(cron):
            problems.append(f"schedule.cron {cron!r} is not a valid cron expression")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except Exception:  # noqa: BLE001 - any failure means an unusable zone name
        problems.append(f"schedule.timezone {timezone!r} is not a known time zone")
    audiences: dict[str, Audience] = {}
    if per:
        if per not in registry.dimensions:
            problems.append(f"burst.per: unknown dimension {per!r}")
        for key, spec in (burst.get("recipients") or {}).items():
            audiences[str(key)] = _audience(spec, language, f"burst.recipients.{key}", problems)
        if not audiences:
            problems.append("burst: list recipients per slice")
    else:
        audiences["all"] = _audience(data.get("recipients"), language, "recipients", problems)
    if problems:
        raise DefinitionError(f"{source}:\n  " + "\n  ".join(problems))
    return Report(
        name=name,
        title=_text(data.get("title") or name),
        language=language,
        period=period,
        kpis=kpis,
        sections=tuple(sections),
        formats=formats,
        cron=cron,
        timezone=timezone,
        burst_per=per,
        audiences=audiences,
        where=_where(data.get("filters")),
        compare=data.get("compare", "previous_period"),
        source=source,
    )


def load_reports(folder: Path | None = None) -> dict[str, Report]:
    """Every report definition in the folder (all *.yaml but alerts/channels/contacts)."""
    folder = folder or reports_dir()
    reports = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        report = parse_report(_read(path), str(path))
        reports[report.name] = report
    return reports


def load_report(name: str, folder: Path | None = None) -> Report:
    reports = load_reports(folder)
    if name not in reports:
        known = ", ".join(reports) or "none"
        raise DefinitionError(f"No report named {name!r} (known: {known}).")
    return reports[name]


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None = None
    webhook: str | None = None
    lang: str = "en"


def _chain(spec: Any) -> tuple[Contact, ...]:
    """A contact and its escalation contacts, in escalation order."""
    chain = []
    while spec:
        chain.append(
            Contact(
                name=str(spec.get("name", "")),
                email=spec.get("email"),
                webhook=spec.get("webhook"),
                lang=spec.get("lang", "en"),
            )
        )
        spec = spec.get("escalate_to")
    return tuple(chain)


@dataclass(frozen=True)
class Contacts:
    """Who owns what: per plant (or `default`) and role (the metric owner), an escalation chain."""

    table: dict[str, dict[str, tuple[Contact, ...]]]

    def chain(self, plant: str | None, role: str) -> tuple[Contact, ...]:
        for key in (plant, "default"):
            roles = self.table.get(str(key)) or {}
            if role in roles:
                return roles[role]
            if "*" in roles:
                return roles["*"]
        return ()


def load_contacts(folder: Path | None = None) -> Contacts:
    path = (folder or reports_dir()) / "contacts.yaml"
    data = expand_env(_read(path)) if path.exists() else {}
    return Contacts(
        {
            str(plant): {str(role): _chain(spec) for role, spec in (roles or {}).items()}
            for plant, roles in (data.get("plants") or {}).items()
        }
    )


def load_channels(folder: Path | None = None) -> dict[str, Any]:
    """SMTP, webhooks, retry and link settings, with ${ENV} values filled in."""
    path = (folder or reports_dir()) / "channels.yaml"
    return expand_env(_read(path)) if path.exists() else {}
