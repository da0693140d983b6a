"""Running one report: a copy per burst slice, rendered to files and (with send) queued in the
durable outbox once per (report, slice, period), then delivered. A period already queued is
never rendered or queued again; a manual re-run (`resend`) re-sends only what has not
arrived, given-up messages included.

Every run has a caller (app/reports/access.py): each copy reads exactly its plants (the
definition's, a burst copy its own plant's) and runs only when it lies within the caller's
plants and role; a copy the caller asked for and may not run is refused with the reason.
Andon users among the e-mail recipients get only copies of their plants. Each run writes
one row to the audit log (report_run, or report_send with --send), and refusals one more."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from app.reports.access import Caller, Refused, copy_scope, withheld, within
from app.reports.audience import Plant, given_lang, only_plant, read_plants, reader_lang
from app.reports.content import build_content
from app.reports.definitions import Audience, Contacts, Report
from app.reports.delivery import About, Deliverer, owner_of
from app.reports.email_body import html_body, subject, summary_message, text_body
from app.reports.render_csv import render_csv
from app.reports.render_pdf import render_pdf
from app.reports.render_xlsx import render_xlsx
from app.reports.state import Outgoing, StateStore
from metrics.periods import resolve
from metrics.scope import Scope


@dataclass
class RunResult:
    report: str
    slice_key: str
    period: str
    lang: str
    status: str  # rendered | skipped | delivered | retrying | given_up | queued | refused
    files: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "<channel> <target>: <last error>"
    not_sent: list[str] = field(default_factory=list)  # channels nobody configured
    withheld: list[Refused] = field(default_factory=list)  # users who may not receive it
    run_id: int | None = None
    refusal: Refused | None = None  # why the caller may not run this copy (status refused)


def default_out_dir(build_file: Path) -> Path:
    return build_file.parent / "report_output"


def render_copy(
    report: Report,
    slice_key: str,
    lang: str,
    as_of: date,
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    scope: Scope,
    generated_at: datetime | None = None,
) -> tuple[list[Path], object]:
    """Render one slice's files from `scope`'s plants only; returns (files, content)."""
    period = resolve(report.period, as_of)
    content = build_content(
        report, slice_key, lang, period, con, scope=scope, generated_at=generated_at
    )
    stem = f"{report.name}_{slice_key}_{period.key.replace('..', '_')}"
    folder = out_dir / report.name / period.key.replace("..", "_") / slice_key
    files: list[Path] = []
    if "pdf" in report.formats:
        files.append(render_pdf(content, folder / f"{stem}.pdf"))
    if "xlsx" in report.formats:
        files.append(render_xlsx(content, folder / f"{stem}.xlsx"))
    if "csv" in report.formats:
        files += render_csv(content, folder, stem)
    return files, content


def copy_reader(
    report: Report, slice_key: str, con: duckdb.DuckDBPyConnection
) -> tuple[str, Plant | None]:
    """The language of one copy and the plant it shows (when it shows one): its recipients'
    own `lang` when the definition gives one, else that plant's language, else the
    report's."""
    listed = report.burst.recipients if report.burst else {"all": report.recipients}
    audience = listed.get(slice_key)
    scope = copy_scope(report, slice_key)
    plant = only_plant(scope.plants, read_plants(con, scope))
    return reader_lang(audience.lang if audience else None, plant, report.language), plant


def run_report(
    report: Report,
    as_of: date,
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    caller: Caller,
    send: bool = False,
    state: StateStore | None = None,
    deliverer: Deliverer | None = None,
    contacts: Contacts | None = None,
    slices: list[str] | None = None,
    resend: bool = False,
) -> list[RunResult]:
    """Render (and with `send` queue and deliver) the report's copies for the period of
    `as_of` that `caller` may run: the `slices` asked for (a copy the caller may not run comes
    back refused), else every copy the caller may run (when there is none, the copies of
    their plants, else every copy, come back refused, saying why). `contacts` names the owner
    told when a copy is given up; `resend` makes what a queued run has not delivered due
    again (given-up messages too)."""
    if send and (state is None or deliverer is None):
        raise ValueError("sending needs a state store and a deliverer")
    period = resolve(report.period, as_of)
    asked = [(key, audience) for key, audience in report.audiences.items()]
    if slices:
        asked = [(key, audience) for key, audience in asked if key in slices]
    else:  # the caller's copies; none: those of their plants or else all, refused with why
        mine = [(key, audience) for key, audience in asked if caller.may_run(report, key)]
        theirs = [
            (key, audience)
            for key, audience in asked
            if within(copy_scope(report, key), caller.scope)
        ]
        asked = mine or theirs or asked
    results = []
    for slice_key, audience in asked:
        lang, plant = copy_reader(report, slice_key, con)
        audience = audience.model_copy(update={"lang": lang})
        result = RunResult(report.name, slice_key, period.key, audience.lang, "rendered")
        results.append(result)
        refusal = caller.run_refusal(report, slice_key)
        if refusal is not None:
            result.status, result.refusal = "refused", refusal
            continue
        scope = copy_scope(report, slice_key).narrow(caller.scope.plants)
        if not send:
            result.files, _ = render_copy(
                report, slice_key, audience.lang, as_of, con, out_dir, scope=scope
            )
            continue
        now = deliverer.clock()
        existing = state.run(report.name, slice_key, period.key)
        if existing and existing["status"] != "rendering":  # queued before: never again
            result.run_id = existing["id"]
            result.files = [Path(p) for p in json.loads(existing["files"] or "[]")]
            deadline = deliverer.policy.deadline(now, report.next_fire(now))
            if not (resend and state.retry_run_now(existing["id"], now, deadline)):
                result.status = "skipped"
            continue
        files, content = render_copy(
            report, slice_key, audience.lang, as_of, con, out_dir, scope=scope
        )
        result.files = files
        run_id = state.claim_run(
            report.name, slice_key, period.key, as_of.isoformat(), audience.lang, now
        )
        result.run_id = run_id
        link = f"{deliverer.app_url}/reports?run={run_id}"
        owner = None
        if contacts is not None:
            chain = contacts.chain(plant.plant_id if plant else None, report.owner_role())
            if chain:
                told = reader_lang(given_lang(chain[0]), plant, report.language)
                owner = owner_of(chain[0], told, content.timezone)
        about = About(
            kind="report",
            key=f"report|{report.name}|{slice_key}|{period.key}",
            label=f"{report.name} · {slice_key} · {period.key}",
            deadline=deliverer.policy.deadline(now, report.next_fire(now)),
            owner=owner,
            run_id=run_id,
        )
        refused = withheld(caller.state_file, audience.email, scope)
        result.withheld = list(refused.values())
        receiving = audience.model_copy(
            update={"email": tuple(a for a in audience.email if a not in refused)}
        )
        outgoing = _messages(content, receiving, files, link, about, deliverer)
        result.not_sent = _not_configured(receiving, deliverer)
        state.queue_run(run_id, [str(f) for f in files], link, outgoing, now)
    if send and deliverer is not None and state is not None:
        deliverer.deliver_due()
        for result in results:
            if result.run_id is not None and result.status != "skipped":
                summarize(result, state)
    _audit(caller, report, period.key, results, send, state)
    return results


def _audit(
    caller: Caller,
    report: Report,
    period: str,
    results: list[RunResult],
    send: bool,
    state: StateStore | None,
) -> None:
    """One audit row for the copies that ran (who, report, period, copies, and for a send
    the channels and recipients), one more for the copies refused (with the reasons)."""
    action = "report_send" if send else "report_run"
    ran = [r for r in results if r.status != "refused"]
    refused = [r for r in results if r.status == "refused"]
    if ran:
        detail: dict = {
            "report": report.name,
            "period": period,
            "copies": [r.slice_key for r in ran],
            "status": {r.slice_key: r.status for r in ran},
        }
        if send and state is not None:
            rows = [row for r in ran if r.run_id for row in state.outbox(run_id=r.run_id)]
            detail["channels"] = sorted({row.channel for row in rows})
            detail["recipients"] = sorted({row.target for row in rows})
            withheld_from = [str(refusal) for r in ran for refusal in r.withheld]
            if withheld_from:
                detail["withheld"] = withheld_from
        else:
            detail["formats"] = list(report.formats)
        caller.audit(action, detail)
    if refused:
        caller.audit(
            action,
            {
                "report": report.name,
                "period": period,
                "copies": [r.slice_key for r in refused],
                "refused": [str(r.refusal) for r in refused],
            },
            ok=False,
        )


def copy_status(statuses: set[str]) -> str:
    """A copy's status from its outbox rows' statuses: delivered (all sent, or nothing to
    send), given_up (any given up), retrying (any failed, to be tried again) or queued."""
    if "given_up" in statuses:
        return "given_up"
    if "retrying" in statuses:
        return "retrying"
    return "queued" if statuses - {"sent"} else "delivered"


def run_status(state: StateStore, run: dict) -> str:
    """The status of a runs row as the listings show it: rendering (not queued yet, or its
    rendering was interrupted), else its copy_status (runs from before the outbox keep the
    status they were given)."""
    if run["status"] == "rendering":
        return "rendering"
    rows = state.outbox(run_id=run["id"])
    if not rows and run["status"] in ("delivered", "failed"):
        return run["status"]
    return copy_status({row.status for row in rows})


def summarize(result: RunResult, state: StateStore) -> RunResult:
    """The copy's status (copy_status) and failures (channel, target and last error)."""
    rows = state.outbox(run_id=result.run_id)
    result.status = copy_status({row.status for row in rows})
    result.failures = [
        f"{row.channel} {row.target}: {row.last_error}"
        for row in rows
        if row.status != "sent" and row.last_error
    ]
    return result


def _messages(
    content,  # noqa: ANN001 - ReportContent
    audience: Audience,
    files: list[Path],
    link: str,
    about: About,
    deliverer: Deliverer,
) -> list[Outgoing]:
    """The copy's messages: one e-mail per address, one post per webhook."""
    title = subject(content)
    outgoing = deliverer.email(
        about,
        audience.email,
        title,
        html_body(content, link),
        text_body(content, link),
        files,
    )
    data = {
        "event": "report",
        "report": content.report.name,
        "slice": content.slice_key,
        "period": content.period.key,
        "lang": content.lang,
        "kpis": {k.metric.name: k.value for k in content.kpis},
    }
    summary = summary_message(content, link)
    for name in audience.webhooks:
        outgoing += deliverer.webhook(about, name, summary, data)
    return outgoing


def _not_configured(audience: Audience, deliverer: Deliverer) -> list[str]:
    """The recipients' channels nobody configured (not queued, so nothing fails for them)."""
    missing = []
    if audience.email and deliverer.email_channel is None:
        missing.append("email (no SMTP host, no outbox_folder)")
    missing += [f"webhook {n} (no URL)" for n in audience.webhooks if not deliverer.posts_to(n)]
    return missing
