"""Running one report: a copy per burst slice, rendered to files and (with send) delivered
once per period: a (report, slice, period) key already delivered is never sent again, and a
re-run after a failure only retries the recipients that did not get it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from app.reports.content import build_content
from app.reports.definitions import Report
from app.reports.delivery import Deliverer
from app.reports.email_body import html_body, markdown_summary, subject, text_body
from app.reports.periods import resolve
from app.reports.render_csv import render_csv
from app.reports.render_pdf import render_pdf
from app.reports.render_xlsx import render_xlsx
from app.reports.state import StateStore, now_utc


@dataclass
class RunResult:
    report: str
    slice_key: str
    period: str
    lang: str
    status: str  # rendered | delivered | failed | skipped
    files: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    run_id: int | None = None


def default_out_dir(build_file: Path) -> Path:
    return build_file.parent / "report_output"


def render_copy(
    report: Report,
    slice_key: str,
    lang: str,
    as_of: date,
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    generated_at: datetime | None = None,
) -> tuple[list[Path], object]:
    """Render one slice's files; returns (files, content)."""
    period = resolve(report.period, as_of)
    content = build_content(report, slice_key, lang, period, con, generated_at)
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


def run_report(
    report: Report,
    as_of: date,
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    send: bool = False,
    state: StateStore | None = None,
    deliverer: Deliverer | None = None,
    slices: list[str] | None = None,
) -> list[RunResult]:
    """Render (and with `send` deliver) every slice of the report for the period of `as_of`."""
    if send and (state is None or deliverer is None):
        raise ValueError("sending needs a state store and a deliverer")
    period = resolve(report.period, as_of)
    results = []
    for slice_key, audience in report.audiences.items():
        if slices and slice_key not in slices:
            continue
        result = RunResult(report.name, slice_key, period.key, audience.lang, "rendered")
        existing = state.run(report.name, slice_key, period.key) if send and state else None
        if existing and existing["status"] == "delivered":
            result.status, result.run_id = "skipped", existing["id"]
            result.files = [Path(p) for p in json.loads(existing["files"] or "[]")]
            results.append(result)
            continue
        clock = deliverer.clock if deliverer else now_utc
        files, content = render_copy(report, slice_key, audience.lang, as_of, con, out_dir)
        result.files = files
        if send and state and deliverer:
            run_id = state.claim_run(
                report.name, slice_key, period.key, as_of.isoformat(), audience.lang, clock()
            )
            result.run_id = run_id
            link = f"{deliverer.app_url}/reports?run={run_id}"
            result.failures = _deliver(content, audience, files, link, run_id, state, deliverer)
            result.status = "failed" if result.failures else "delivered"
            state.finish_run(run_id, result.status, [str(f) for f in files], link, clock())
        results.append(result)
    return results


def _deliver(
    content,
    audience,
    files: list[Path],
    link: str,
    run_id: int,  # noqa: ANN001
    state: StateStore,
    deliverer: Deliverer,
) -> list[str]:
    done = state.delivered_targets(run_id)
    failures = []
    if audience.email and ("email", ", ".join(audience.email)) not in done:
        ok = deliverer.email(
            list(audience.email),
            subject(content),
            html_body(content, link),
            text_body(content, link),
            files,
            run_id=run_id,
        )
        if not ok:
            failures.append(f"email {', '.join(audience.email)}")
    for name in audience.webhooks:
        if any(target == name for _, target in done):
            continue
        data = {
            "event": "report",
            "report": content.report.name,
            "slice": content.slice_key,
            "period": content.period.key,
            "lang": content.lang,
            "kpis": {k.metric.name: k.value for k in content.kpis},
        }
        ok = deliverer.webhook(
            name, subject(content), markdown_summary(content, link), link, data, run_id=run_id
        )
        if not ok:
            failures.append(f"webhook {name}")
    return failures
