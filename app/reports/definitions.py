"""The reports folder (reports/*.yaml) as typed models: report definitions, contacts and
channels (alert rules: app/reports/alerts/rules.py).

Definitions are data so that plant teams can add a report without touching code; a bad file
fails loudly, every problem named with its file, key and line, instead of half-sending a
report at 07:30. A report's metrics and dimensions are checked against the metrics registry.
The JSON Schemas beside the files (report.schema.json, contacts.schema.json,
channels.schema.json) are exported from these models; `python -m app.schemas` refreshes them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    model_validator,
)

from app.reports.deliver_webhooks import KINDS as WEBHOOK_KINDS
from metrics.i18n import LANGS as CATALOGUE_LANGS
from metrics.periods import PERIODS
from metrics.registry import Grain, Registry, load_registry
from warehouse.config import (
    ConfigError,
    NonEmptyStr,
    Problems,
    SchemaFile,
    StrictModel,
    read_yaml,
    validate,
)

ENV_VAR = "ANDON_REPORTS"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "reports"
SPECIAL_FILES = {"alerts.yaml", "channels.yaml", "contacts.yaml"}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

Lang = Literal[CATALOGUE_LANGS]  # type: ignore[valid-type]
OutputFormat = Literal["pdf", "xlsx", "csv"]
Show = Literal["chart", "table"]
PeriodName = Literal[PERIODS]  # type: ignore[valid-type]
LANGS: tuple[str, ...] = get_args(Lang)
FORMATS: tuple[str, ...] = get_args(OutputFormat)
SHOWS: tuple[str, ...] = get_args(Show)


class DefinitionError(ConfigError):
    """A report, contacts or channels file that cannot be used: names file, key and line."""


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


# ------------------------------------------------------------------ shared field types


def _registry(info: ValidationInfo) -> Registry:
    """The registry references are checked against: the context's, else the default one."""
    return (info.context or {}).get("registry") or load_registry()


def _known_metric(name: str, info: ValidationInfo) -> str:
    if name not in _registry(info).metrics:
        raise ValueError(f"unknown metric {name!r} (see metrics/registry.yaml)")
    return name


def _known_dimension(name: str, info: ValidationInfo) -> str:
    dimensions = _registry(info).dimensions
    if name not in dimensions:
        raise ValueError(f"unknown dimension {name!r} (known: {', '.join(dimensions)})")
    return name


def _known_plant(plant: str, info: ValidationInfo) -> str:
    """A plant id of the warehouse's dim_plant, when the context names them (`plants`)."""
    known = (info.context or {}).get("plants")
    if known is not None and plant not in known:
        raise ValueError(f"unknown plant {plant!r} (known: {', '.join(sorted(known)) or '-'})")
    return plant


MetricName = Annotated[NonEmptyStr, AfterValidator(_known_metric)]
DimensionName = Annotated[NonEmptyStr, AfterValidator(_known_dimension)]
PlantId = Annotated[NonEmptyStr, AfterValidator(_known_plant)]


def _one_or_many(value: str | list[str]) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


# {dimension: key or [keys]}; every key as text (YAML reads a plant 101 as a number).
Filters = dict[
    DimensionName, Annotated[NonEmptyStr | list[NonEmptyStr], AfterValidator(_one_or_many)]
]


class Bilingual(StrictModel):
    """A text per language; one given alone serves every language (a Vietnamese reader of a
    text without `vi` reads the English)."""

    en: NonEmptyStr | None = None
    zh: NonEmptyStr | None = None
    vi: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Bilingual:
        if self.en is None and self.zh is None and self.vi is None:
            raise ValueError("give the text in en, zh or vi")
        return self


def _as_text(value: str | Bilingual) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value, "zh": value}
    en = value.en or value.zh or value.vi or ""
    text = {"en": en, "zh": value.zh or en}
    if value.vi:
        text["vi"] = value.vi
    return text


# One text for every language, or {en, zh, vi}; in the model always {"en": …, "zh": …}, and
# "vi" when given: readers take text.get(lang) or text["en"].
Text = Annotated[NonEmptyStr | Bilingual, AfterValidator(_as_text)]


def _no_default(schema: dict[str, Any]) -> None:
    """For a key filled from elsewhere when the file leaves it out (see its description)."""
    schema.pop("default", None)


# ------------------------------------------------------------------ report definitions


def _not_allowed(
    problems: Problems, registry: Registry, placed: list[tuple[tuple, str]], dims: Any, how: str
) -> None:
    """Each metric (at its place in the file) must allow each dimension in `dims`."""
    for loc, metric in placed:
        allowed = registry.metrics[metric].dimensions
        for dim in dims:
            if dim not in allowed:
                problems.add(loc, f"metric {metric!r} cannot be {how} {dim!r}")


class Section(StrictModel):
    """A chart or table of metrics, grouped by dimensions or over time."""

    title: Text
    metrics: Annotated[tuple[MetricName, ...], Field(min_length=1)]
    by: tuple[DimensionName, ...] = Field(default=(), description="Dimensions to group by.")
    where: Filters = Field(
        default_factory=dict, alias="filters", description="{dimension: key or [keys]}."
    )
    grain: Grain | None = Field(default=None, description="A time grain: one row per bucket.")
    show: Show = "table"
    chart_metric: MetricName | None = Field(
        default=None, description="The metric a chart draws (default: the first)."
    )

    @model_validator(mode="after")
    def _fits_its_metrics(self, info: ValidationInfo) -> Section:
        problems = Problems()
        if self.show == "chart" and not (self.by or self.grain):
            problems.add(("show",), "a chart needs `by` or `grain`")
        if self.chart_metric is not None and self.chart_metric not in self.metrics:
            problems.add(("chart_metric",), f"{self.chart_metric!r} is not one of the metrics")
        registry = _registry(info)
        for j, dim in enumerate(self.by):
            _not_allowed(
                problems, registry, [(("by", j), m) for m in self.metrics], [dim], "grouped by"
            )
        for dim in self.where:
            placed = [(("filters", dim), m) for m in self.metrics]
            _not_allowed(problems, registry, placed, [dim], "filtered by")
        problems.check("Section")
        return self


class Audience(StrictModel):
    """One recipient list: its language, e-mail addresses and named webhooks."""

    lang: Lang | None = Field(default=None, description="Default: the report's language.")
    email: tuple[NonEmptyStr, ...] = ()
    webhooks: tuple[NonEmptyStr, ...] = Field(default=(), description="Names in channels.yaml.")


class Schedule(StrictModel):
    cron: NonEmptyStr | None = Field(default=None, description="When to send; none: on demand.")
    timezone: NonEmptyStr = Field(default="UTC", description="The zone the cron is read in.")

    @model_validator(mode="after")
    def _valid(self) -> Schedule:
        problems = Problems()
        if self.cron is not None and not croniter.is_valid(self.cron):
            problems.add(("cron",), f"{self.cron!r} is not a valid cron expression")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add(("timezone",), f"{self.timezone!r} is not a known time zone")
        problems.check("Schedule")
        return self


class Burst(StrictModel):
    """One copy per value of a dimension, each to its own audience."""

    per: DimensionName
    recipients: Annotated[dict[NonEmptyStr, Audience], Field(min_length=1)] = Field(
        description="Per key of `per` (e.g. plant SZ), who gets that copy."
    )


class Report(StrictModel):
    """A report definition (reports/<name>.yaml): which KPIs and sections, for which period,
    in which formats, when, and to whom."""

    name: NonEmptyStr = Field(
        default=None,
        validate_default=True,  # filled from the file's name; None only without a file
        description="Default: the file's name without .yaml.",
        json_schema_extra=_no_default,
    )
    title: Text = Field(
        default=None,
        validate_default=True,
        description="Default: the name.",
        json_schema_extra=_no_default,
    )
    language: Lang = "en"
    period: PeriodName = "yesterday"
    compare: Literal["previous_period"] | None = "previous_period"
    formats: Annotated[tuple[OutputFormat, ...], Field(min_length=1)] = ("pdf", "xlsx")
    schedule: Schedule = Field(default_factory=Schedule)
    kpis: tuple[MetricName, ...] = Field(default=(), description="The headline KPI cards.")
    sections: tuple[Section, ...] = ()
    burst: Burst | None = None
    recipients: Audience | None = Field(
        default=None, description="Who gets the report (a burst report: burst.recipients)."
    )
    where: Filters = Field(
        default_factory=dict, alias="filters", description="{dimension: key or [keys]}."
    )
    plants: Annotated[tuple[PlantId, ...], Field(min_length=1)] | None = Field(
        default=None,
        description="The plants the report reads: every copy holds only their rows (a burst "
        "copy per plant only its own plant's). Default: every plant (definitions are "
        "written by administrators).",
    )
    owner: NonEmptyStr | None = Field(
        default=None,
        description="The role (contacts.yaml) told when a copy cannot be delivered; default: "
        "the owner of its first metric in the registry.",
    )
    _source: str = PrivateAttr("")

    @model_validator(mode="before")
    @classmethod
    def _names_from_the_file(cls, data: Any, info: ValidationInfo) -> Any:
        """No `name`: the file's name; no `title`: the name."""
        if not isinstance(data, dict):
            return data
        source = (info.context or {}).get("source")
        if "name" not in data and source:
            data = {**data, "name": Path(source).stem}
        if "title" not in data and isinstance(data.get("name"), str):
            data = {**data, "title": data["name"]}
        return data

    @model_validator(mode="after")
    def _fits_its_metrics(self, info: ValidationInfo) -> Report:
        problems = Problems()
        if not (self.kpis or self.sections):
            problems.add((), "list kpis, sections or both")
        if self.burst is not None and self.recipients is not None:
            problems.add(("recipients",), "a burst report sends per slice: use burst.recipients")
        registry = _registry(info)
        placed = [(("kpis", i), m) for i, m in enumerate(self.kpis)]
        for i, section in enumerate(self.sections):
            placed += [(("sections", i, "metrics", j), m) for j, m in enumerate(section.metrics)]
        if self.burst is not None:
            _not_allowed(problems, registry, placed, [self.burst.per], "split per")
        for dim in self.where:
            where = [(("filters", dim), metric) for metric in dict.fromkeys(m for _, m in placed)]
            _not_allowed(problems, registry, where, [dim], "filtered by")
        if self.plants is not None:
            listed = ", ".join(self.plants)
            if self.burst is not None and self.burst.per == "plant":
                for key in self.burst.recipients:
                    if key not in self.plants:
                        problems.add(
                            ("burst", "recipients", key), f"{key!r} is not in plants ({listed})"
                        )
            for key in self.where.get("plant", ()):
                if key not in self.plants:
                    problems.add(("filters", "plant"), f"{key!r} is not in plants ({listed})")
        problems.check("Report")
        return self

    @property
    def source(self) -> str:
        """The file it was read from."""
        return self._source

    @property
    def cron(self) -> str | None:
        return self.schedule.cron

    @property
    def timezone(self) -> str:
        return self.schedule.timezone

    @property
    def burst_per(self) -> str | None:
        return self.burst.per if self.burst else None

    @property
    def audiences(self) -> dict[str, Audience]:
        """Who gets which copy: per burst key, or `all`; each with its language resolved."""
        listed = self.burst.recipients if self.burst else {"all": self.recipients or Audience()}
        return {
            key: audience if audience.lang else audience.model_copy(update={"lang": self.language})
            for key, audience in listed.items()
        }

    def title_in(self, lang: str) -> str:
        """The title in `lang`; the English one for a language the file does not give."""
        return self.title.get(lang) or self.title["en"]

    def next_fire(self, after: datetime) -> datetime | None:
        """Its schedule's first fire after `after`, in its time zone; None: on demand only."""
        if not self.cron:
            return None
        zone = ZoneInfo(self.timezone)
        return croniter(self.cron, after.astimezone(zone)).get_next(datetime)

    def owner_role(self, registry: Registry | None = None) -> str:
        """Whom to tell when a copy cannot be delivered: `owner`, else the registry's owner
        of its first metric."""
        if self.owner:
            return self.owner
        first = (self.kpis or self.sections[0].metrics)[0]
        return (registry or load_registry()).metric(first).owner


def parse_report(
    data: Any,
    source: str = "<report>",
    *,
    lines: dict[Any, int] | None = None,
    registry: Registry | None = None,
    plants: frozenset[str] | None = None,
) -> Report:
    """A validated Report from parsed YAML, or a DefinitionError naming each bad key (with
    its line when `lines` from `read_yaml` are given). `plants`: the warehouse's plant ids,
    which `plants:` must name (None: not checked, e.g. before the first build)."""
    context = {"registry": registry or load_registry(), "source": source, "plants": plants}
    report = validate(Report, data, source, lines, context=context, error=DefinitionError)
    report._source = source
    return report


@dataclass(frozen=True)
class ReportFiles:
    """The report definitions of a folder: the valid ones by name, and the refused files."""

    reports: dict[str, Report]
    refused: list[DefinitionError]  # one per file, naming its file, keys and lines


def read_reports(folder: Path | None = None, plants: frozenset[str] | None = None) -> ReportFiles:
    """Every report definition in the folder (all *.yaml but alerts/channels/contacts), file
    by file: a file that cannot be used is refused with its error and never keeps the others
    from loading (the scheduler, `andon report` and the Reports page show the refusals).
    `plants`: the warehouse's plant ids, checked against each `plants:` (None: not checked)."""
    folder = folder or reports_dir()
    registry = load_registry()
    reports: dict[str, Report] = {}
    refused: list[DefinitionError] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        try:
            data, lines = read_yaml(path, error=DefinitionError)
            report = parse_report(data, str(path), lines=lines, registry=registry, plants=plants)
            if report.name in reports:
                first = reports[report.name].source
                message = f"report {report.name!r} is already defined in {first}"
                raise DefinitionError(path, [("name", lines.get(("name",)), message)])
        except DefinitionError as error:
            refused.append(error)
            continue
        reports[report.name] = report
    return ReportFiles(reports, refused)


def load_reports(folder: Path | None = None) -> dict[str, Report]:
    """Every report definition in the folder, or the first refused file's DefinitionError
    (what checks a folder; running reports uses `read_reports`)."""
    files = read_reports(folder)
    if files.refused:
        raise files.refused[0]
    return files.reports


def load_report(
    name: str, folder: Path | None = None, plants: frozenset[str] | None = None
) -> Report:
    """The report named `name`: its file's DefinitionError when that file is refused, the
    known names when there is none; other files' problems do not matter."""
    folder = folder or reports_dir()
    files = read_reports(folder, plants)
    if name in files.reports:
        return files.reports[name]
    for error in files.refused:
        if Path(error.file).stem == name:
            raise error
    known = ", ".join(files.reports) or "none"
    raise DefinitionError(folder, [("", None, f"no report named {name!r} (known: {known})")])


# ------------------------------------------------------------------ contacts


class Contact(StrictModel):
    """Whom to tell, how, in which language, and whom to escalate to."""

    name: NonEmptyStr
    email: NonEmptyStr | None = None
    webhook: NonEmptyStr | None = Field(default=None, description="A name in channels.yaml.")
    lang: Lang = "en"
    escalate_to: Contact | None = Field(
        default=None, description="Told when an alert is not acknowledged in time."
    )

    @model_validator(mode="after")
    def _reachable(self) -> Contact:
        if self.email is None and self.webhook is None:
            raise ValueError("a contact needs an email, a webhook or both")
        return self

    def chain(self) -> tuple[Contact, ...]:
        """This contact and its escalation contacts, in escalation order."""
        return (self, *(self.escalate_to.chain() if self.escalate_to else ()))


class Contacts(StrictModel):
    """reports/contacts.yaml: who owns what, per plant (or `default`) and role (a metric's
    owner in the registry, or `*` for every role), and optionally per line: a line's owner
    hears of the alerts about that line (a rule with scope [plant, line]) before its plant's
    contact does."""

    plants: dict[NonEmptyStr, dict[NonEmptyStr, Contact]] = Field(default_factory=dict)
    lines: dict[NonEmptyStr, dict[NonEmptyStr, Contact]] = Field(
        default_factory=dict,
        description="Per line id (dim_line.line_id) and role (or `*`): told of an alert about "
        "that line instead of the plant's contact.",
    )

    def chain(self, plant: str | None, role: str, line: str | None = None) -> tuple[Contact, ...]:
        """The contact of `role` and its escalations: the line's (when the alert is about a
        line the file lists), else the plant's, else `default`'s; at each level the role's
        own contact before `*`."""
        levels = (self.lines.get(str(line)) if line is not None else None,)
        levels += (self.plants.get(str(plant)), self.plants.get("default"))
        for roles in levels:
            contact = (roles or {}).get(role) or (roles or {}).get("*")
            if contact is not None:
                return contact.chain()
        return ()


def _read_with_env(path: Path) -> tuple[Any, dict[Any, int]]:
    data, lines = read_yaml(path, error=DefinitionError)
    return expand_env({} if data is None else data), lines


def load_contacts(folder: Path | None = None) -> Contacts:
    path = (folder or reports_dir()) / "contacts.yaml"
    if not path.exists():
        return Contacts()
    data, lines = _read_with_env(path)
    return validate(Contacts, data, path, lines, error=DefinitionError)


# ------------------------------------------------------------------ channels


class _FromEnvironment:
    """A value the file may give as ${VAR} or ${VAR:-default}: the JSON Schema allows the
    reference too (the model sees the expanded value, where blank means not set)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        reference = {"type": "string", "pattern": f"^{_ENV.pattern}$"}
        return {"anyOf": [handler(core_schema), reference]}


def _blank_is_unset(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _from_env(kind: Any) -> Any:
    return Annotated[kind | None, BeforeValidator(_blank_is_unset), _FromEnvironment()]


EnvInt = _from_env(Annotated[int, Field(ge=1)])
EnvSeconds = _from_env(Annotated[float, Field(ge=0)])
EnvFactor = _from_env(Annotated[float, Field(ge=1)])
Security = _from_env(Literal["none", "starttls", "ssl"])
WebhookKind = _from_env(Literal[WEBHOOK_KINDS])  # type: ignore[valid-type]


class Email(StrictModel):
    """The SMTP server; no host: e-mail is not configured (each send is logged as failed)."""

    host: str | None = None
    port: EnvInt = None
    security: Security = None
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    timeout_s: EnvSeconds = None


class Webhook(StrictModel):
    """A chat webhook (WeCom, DingTalk, Feishu) or a plain JSON endpoint."""

    kind: WebhookKind = None
    url: str | None = None
    secret: str | None = Field(default=None, description="DingTalk and Feishu signing secret.")
    headers: dict[NonEmptyStr, str] = Field(default_factory=dict)


class Retry(StrictModel):
    """A failed delivery is retried on later scheduler ticks, waiting base × factor^n seconds
    (at most max) between attempts, until it is sent or its deadline passes."""

    base_delay_s: EnvSeconds = Field(default=None, description="Default 60.")
    factor: EnvFactor = Field(default=None, description="Default 2.")
    max_delay_s: EnvSeconds = Field(default=None, description="Default 1800.")
    deadline_hours: EnvSeconds = Field(
        default=None,
        description="How long to keep retrying; default: until the report's next fire "
        "(alert notifications and reports without a schedule: 24 hours).",
    )


class Channels(StrictModel):
    """reports/channels.yaml: how reports and alerts are sent. Values may come from the
    environment as ${VAR} or ${VAR:-default}, so secrets stay out of the file."""

    email: Email | None = None
    webhooks: dict[NonEmptyStr, Webhook] = Field(default_factory=dict)
    app_url: str | None = Field(default=None, description="Links in messages point here.")
    outbox_folder: str | None = Field(
        default=None,
        description="No SMTP host: e-mails are written to this folder as .eml files "
        "(relative to the state file's folder). Blank: e-mail is not sent.",
    )
    retry: Retry | None = None


def load_channels(folder: Path | None = None) -> dict[str, Any]:
    """SMTP, webhooks, retry and link settings, with ${ENV} values filled in and validated
    (keys left out or blank are absent: the senders' defaults apply)."""
    path = (folder or reports_dir()) / "channels.yaml"
    if not path.exists():
        return {}
    data, lines = _read_with_env(path)
    channels = validate(Channels, data, path, lines, error=DefinitionError)
    return channels.model_dump(exclude_none=True)


REPORT_SCHEMA = SchemaFile(Report, "Andon report definition", DEFAULT_DIR / "report.schema.json")
CONTACTS_SCHEMA = SchemaFile(Contacts, "Andon contacts", DEFAULT_DIR / "contacts.schema.json")
CHANNELS_SCHEMA = SchemaFile(Channels, "Andon channels", DEFAULT_DIR / "channels.schema.json")
