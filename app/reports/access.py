"""Who asks app.reports for something, and what they may see and do there.

A `Caller` carries whose plants (a `metrics.Scope`), whose permissions (a User, checked with
`app.accounts.can`; none for the local operator and the scheduler, who act for the
administrators that write the definitions and rules) and where their actions are audited
(the state store). Report runs, alert lists and acknowledgements each take one, so none of
them can forget it:

    Caller.signed_in(user, state_file)   a user of the app, or `--user NAME` on the CLI
    Caller.operator(state_file)          the command line: every plant, as cli:<os user>
    Caller.service(state_file)           the scheduler: every plant, as "scheduler"

A report copy reads exactly its `copy_scope`: the definition's `plants` (every plant when it
names none), and a burst copy per plant only its own plant. A caller runs and sends only
copies whose scope lies within their own, and an Andon user receives by e-mail only copies
of their plants (`withheld`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.accounts import Accounts, Action, User, can, cli_actor
from app.reports.definitions import Report
from metrics.i18n import t
from metrics.scope import Scope

SERVICE = "scheduler"  # the audit log's name for the scheduler


class Refused(PermissionError):
    """Something a caller may not do; the message (a catalogue key and its values, a Scope
    described in the message's language) says why and what to do instead: str() in English
    (the command line, the audit log), `text(lang)` for the app."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        values = {
            name: value.describe(lang) if isinstance(value, Scope) else value
            for name, value in self.values.items()
        }
        return t(self.key, lang, **values)


def within(inner: Scope, outer: Scope) -> bool:
    """Whether every row `inner` shows is one `outer` may see."""
    if outer.is_all:
        return True
    if inner.is_all:
        return False
    assert inner.plants is not None and outer.plants is not None
    return inner.plants <= outer.plants


def copy_scope(report: Report, slice_key: str) -> Scope:
    """The plants one copy of the report reads: the definition's `plants` (None: every plant),
    narrowed to the copy's own plant for a burst per plant."""
    scope = Scope.all().narrow(report.plants)
    if report.burst_per == "plant" and slice_key != "all":
        scope = scope.narrow([slice_key])
    return scope


def user_may(user: User | None, action: Action, scope: Scope) -> bool:
    """Whether `user` may take `action` on everything `scope` shows: on every one of its
    plants, or for every plant only with access to every plant."""
    if user is None or scope.is_empty:
        return False
    if scope.is_all:
        return user.scope.is_all and can(user, action)
    return all(can(user, action, plant) for plant in scope.sorted())


@dataclass(frozen=True)
class Caller:
    """Who runs a report or lists and acknowledges alerts: their name for the audit log and
    the messages, their plants, their permissions (None: the operator or the service, who
    act for the administrators) and the state store their actions are audited in."""

    actor: str
    scope: Scope
    state_file: Path
    user: User | None = None
    via: str | None = None  # a user acting through the command line: "cli:<os user>"

    @classmethod
    def signed_in(cls, user: User, state_file: Path, via: str | None = None) -> Caller:
        return cls(user.username, user.scope, Path(state_file), user, via)

    @classmethod
    def operator(cls, state_file: Path) -> Caller:
        """The command line's local operator, who can read the warehouse file anyway."""
        return cls(cli_actor(), Scope.all(), Path(state_file))

    @classmethod
    def service(cls, state_file: Path) -> Caller:
        """The scheduler: runs the definitions as their administrators wrote them."""
        return cls(SERVICE, Scope.all(), Path(state_file))

    @property
    def label(self) -> str:
        return self.user.label if self.user is not None else self.actor

    def sees(self, plant: object) -> bool:
        return self.scope.allows(plant)

    def may(self, action: Action, scope: Scope) -> bool:
        """Whether the caller may take `action` on everything `scope` shows."""
        if not within(scope, self.scope):
            return False
        return self.user is None or user_may(self.user, action, scope)

    def may_run(self, report: Report, slice_key: str) -> bool:
        return self.may(Action.RUN_REPORT, copy_scope(report, slice_key))

    def run_refusal(self, report: Report, slice_key: str) -> Refused | None:
        """Why the caller may not run (or send) this copy, or None when they may."""
        scope = copy_scope(report, slice_key)
        values = {"who": self.label, "report": report.name, "copy": slice_key}
        if not within(scope, self.scope):
            return Refused("report_copy_outside_scope", **values, shows=scope, sees=self.scope)
        if not self.may(Action.RUN_REPORT, scope):
            role = self.user.role.value if self.user is not None else "-"
            return Refused("report_run_not_allowed", **values, role=role)
        return None

    def audit(self, action: str, detail: dict[str, Any], *, ok: bool = True) -> None:
        """One row of the audit log in the caller's state store."""
        if self.via:
            detail = {**detail, "via": self.via}
        Accounts(self.state_file).audit(self.actor, action, detail, ok=ok)


def withheld(state_file: Path, addresses: Iterable[str], scope: Scope) -> dict[str, Refused]:
    """The e-mail addresses of Andon users who may not receive a copy showing `scope`
    (another plant's manager, a disabled account), each with the reason; addresses no user
    has are recipients an administrator configured, and get the copy as written."""
    accounts = Accounts(state_file)
    refused = {}
    for address in addresses:
        row = accounts.store.user_by_email(address.strip().lower())
        if row is None:
            continue
        user = accounts.to_user(row)
        if not user_may(user, Action.RECEIVE_REPORT, scope):
            refused[address] = Refused(
                "report_recipient_refused",
                address=address,
                who=user.username,
                shows=scope,
                sees=user.scope,
            )
    return refused


def report_visible(report: Report, scope: Scope) -> bool:
    """Whether a caller seeing `scope` sees at least one copy of the report."""
    return any(within(copy_scope(report, key), scope) for key in report.audiences)


def run_visible(reports: dict[str, Report], report: str, slice_key: str, scope: Scope) -> bool:
    """Whether a copy that ran (a runs row) is one a caller seeing `scope` may see; the copy
    of a report whose definition is gone only with every plant."""
    definition = reports.get(report)
    if definition is None:
        return scope.is_all
    return within(copy_scope(definition, slice_key), scope)


def delivery_visible(reports: dict[str, Report], subject: dict | None, scope: Scope) -> bool:
    """Whether an outbox row (its `StateStore.delivery_subjects` entry) is about a report copy
    or an alert a caller seeing `scope` may see; anything else only with every plant."""
    if scope.is_all:
        return True
    if subject is None:
        return False
    if subject.get("report") is not None:
        return run_visible(reports, subject["report"], subject["slice"], scope)
    if subject.get("alert_event_id") is not None:
        return scope.allows(subject.get("plant"))
    return False
