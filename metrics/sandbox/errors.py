"""What the sandbox says when it refuses a query or a query fails.

Every text is a key of the catalogue (metrics/i18n.yaml) with its values, so the page
shows it in the reader's language; `line`/`column` point into the user's SQL when known.
DuckDB's own messages come through `clean_message`: the first sentence or two without the
echo of the executed SQL, and never a server path (home, working directory, warehouse,
temp folder: each becomes <path>).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from metrics.i18n import t

PATH_MARK = "<path>"
# an absolute path of two or more parts, or one under the home directory (~/…)
PATH_TAIL = r"[^\s'\"<>()\[\],;:]*"
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/<>])(?:~|/[^\s'\"/<>()\[\],;:]+)(?:/[^\s'\"/<>()\[\],;:]*)+")
ECHO = re.compile(r"^LINE \d+:")


@dataclass
class SandboxError(Exception):
    """A refusal or failure: catalogue key `key` filled with `values`."""

    key: str
    values: dict[str, object] = field(default_factory=dict)
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        # a value may echo the user's text: a path in it never shows either
        self.values = {
            name: scrub_paths(value) if isinstance(value, str) else value
            for name, value in self.values.items()
        }

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.values)

    @property
    def message(self) -> str:
        return self.text("en")

    def __str__(self) -> str:
        return self.message


class SandboxRefusal(SandboxError):
    """Refused before anything ran: not one read-only query, a table or function the
    user may not read, or beyond a limit that is known from the text."""


class QueryFailed(SandboxError):
    """DuckDB could not run the query, or it ran past the timeout or a size limit."""


def server_paths(extra: Iterable[str | os.PathLike[str] | None] = ()) -> list[str]:
    """The paths that must never show: home, working directory, interpreter, temp folder
    and `extra` (the warehouse file, its folder, the run's spill folder), as written and
    resolved, longest first."""
    found: set[str] = set()
    candidates = [
        Path.home(),
        Path.cwd(),
        Path(sys.prefix),
        Path(tempfile.gettempdir()),
        *(Path(p) for p in extra if p),
    ]
    for path in candidates:
        for form in (str(path), str(path.resolve()), os.path.expanduser(str(path))):
            if form not in ("", "/", "."):
                found.add(form.rstrip("/"))
    return sorted(found, key=len, reverse=True)


def scrub_paths(text: str, paths: Iterable[str] = ()) -> str:
    """`text` with every server path replaced by <path>."""
    for path in paths:
        text = re.sub(re.escape(path) + PATH_TAIL, PATH_MARK, text)
    return ABSOLUTE_PATH.sub(PATH_MARK, text)


def clean_message(error: BaseException, paths: Iterable[str] = ()) -> str:
    """DuckDB's message without the SQL echo, hints or paths: its first paragraph."""
    text = str(error).strip() or type(error).__name__
    kept: list[str] = []
    for row in text.splitlines():
        if ECHO.match(row) or (not row.strip() and kept):
            break
        if row.strip():
            kept.append(row.strip())
    return scrub_paths(" ".join(kept)[:600], paths)


def error_kind(message: str) -> str:
    """ "Conversion Error" from "Conversion Error: Could not convert …"."""
    head, sep, _ = message.partition(":")
    return head.strip() if sep and len(head) < 40 else "Error"
