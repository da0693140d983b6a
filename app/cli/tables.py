"""Tables on the command line that never cut what a reader copies: ids, ack tokens, paths,
times and numbers are shown whole, at any width.

A table is printed as a table when its whole columns fit the width beside its other (text)
columns, which then wrap their words (long words fold); when they do not fit, each row is
printed as a block of "heading: value" lines instead, values unbroken. On a terminal the
width is the terminal's; when the output is not a terminal it is $COLUMNS when that is set,
else unlimited — piped output has lines as long as their content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from rich import box as boxes
from rich.box import Box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

UNLIMITED = 10_000  # columns for output that is not a terminal
MIN_TEXT = 12  # a text column narrower than this wraps too much to read: print records


def table_width(console: Console) -> int:
    """The width tables are laid out in: the terminal's; else $COLUMNS when set; else
    unlimited (UNLIMITED)."""
    if console.is_terminal:
        return console.width
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else UNLIMITED


@dataclass(frozen=True)
class Col:
    """A column: `whole` ones (ids, tokens, paths, times, numbers) are never broken."""

    heading: str
    whole: bool = False
    justify: str = "left"


Cell = str | Text


def _text(cell: Cell | None) -> Text:
    if cell is None:
        return Text("")
    return cell if isinstance(cell, Text) else Text(cell)  # data, never markup


def _natural(cells: Iterable[Text]) -> int:
    return max((cell_len(line) for cell in cells for line in cell.plain.split("\n")), default=0)


def print_table(
    console: Console,
    columns: Sequence[Col | str],
    rows: Iterable[Sequence[Cell | None]],
    *,
    title: str | None = None,
    box: Box | None = boxes.HEAVY_HEAD,
    padding: tuple[int, int] = (0, 1),
) -> None:
    """Print `rows` under `columns` as a table, or as records when the whole columns do not
    fit the console's width (see the module's docstring)."""
    cols = [Col(c) if isinstance(c, str) else c for c in columns]
    body = [[_text(cell) for cell in row] for row in rows]
    natural = [
        max(_natural([Text(col.heading)]), _natural(row[i] for row in body))
        for i, col in enumerate(cols)
    ]
    pad = padding[1] * 2
    edges = (len(cols) + 1) if box is not None else max(len(cols) - 1, 0)
    limit = table_width(console)
    available = limit - edges - pad * len(cols)
    needed = sum(
        width if col.whole else min(width, MIN_TEXT)
        for col, width in zip(cols, natural, strict=True)
    )
    if needed > available:
        print_records(console, cols, body, title=title)
        return
    if title:  # its own line: a path in it stays whole (a table's title wraps at its width)
        console.print(Text(title, style="italic"), soft_wrap=True)
    table = Table(box=box, padding=padding)
    for col, width in zip(cols, natural, strict=True):
        if col.whole:
            table.add_column(col.heading, justify=col.justify, width=width, no_wrap=True)
        else:
            table.add_column(col.heading, justify=col.justify, overflow="fold")
    for row in body:
        table.add_row(*row)
    with _laid_out_at(console, limit):
        console.print(table)


@contextmanager
def _laid_out_at(console: Console, width: int) -> Iterator[None]:
    """The console at `width` for one print (rich caps a print's width at the console's)."""
    before = console._width  # noqa: SLF001 - rich has no public way back to "not set"
    console.width = width
    try:
        yield
    finally:
        console._width = before  # noqa: SLF001


def print_records(
    console: Console, columns: Sequence[Col], rows: list[list[Text]], *, title: str | None = None
) -> None:
    """Each row as "heading: value" lines, a blank line between rows; values are printed
    whole (a terminal wraps a long line, the text stays one piece to copy)."""
    if title:
        console.print(Text(title, style="italic"), soft_wrap=True)
    names = [" ".join(col.heading.split()) for col in columns]  # a heading on one line
    label = max((cell_len(name) for name in names), default=0)
    for index, row in enumerate(rows):
        if index:
            console.print()
        for name, cell in zip(names, row, strict=True):
            heading = Text(name + ":" + " " * (label - cell_len(name) + 1), "bold")
            lines = cell.split("\n") if cell.plain else [Text("")]
            console.print(Text.assemble(heading, lines[0]), soft_wrap=True)
            indent = " " * (label + 2)
            for line in lines[1:]:
                console.print(Text.assemble(indent, line), soft_wrap=True)


def print_plain(console: Console, text: str | Text) -> None:
    """A line of text unbroken (paths and tokens in it stay whole)."""
    console.print(text, soft_wrap=True)
