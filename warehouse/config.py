"""Configuration files as schemas: YAML → a typed pydantic model, or a message naming the file,
the key and the line.

Every YAML file Andon reads (metrics registry, report definitions, alert rules, contacts,
channels, site mapping) is defined by one pydantic model built on `StrictModel`: unknown keys
are refused, and a JSON Schema exported from the same model sits beside the YAML so an editor
can check it while someone types (a `SchemaFile` per model, kept current by a test).

A validator that checks references (a metric's dimension, a report's metric) reports each
problem at its own key through `Problems`; one that needs outside facts (the registry, the
ingest contracts) reads them from the validation `context`.

It sits in warehouse/ because it is the one layer every other one may import (ingest too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
Problem = tuple[str, int | None, str]  # (dotted key, 1-based line or None, message)
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it

# The configuration of every model (and of TypedDicts inside one, via __pydantic_config__):
# unknown keys refused, values immutable, text trimmed, and numbers accepted where text is
# expected (YAML reads a plant code 101 or a site 7 as a number).
CONFIG = ConfigDict(
    extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True
)
NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ConfigError(ValueError):
    """A configuration file that cannot be used: names the file, the key and the line."""

    def __init__(self, file: Path | str, problems: list[Problem]) -> None:
        self.file = str(file)
        self.problems = problems
        lines = [
            f"{self.file}{f':{line}' if line else ''}: {key + ': ' if key else ''}{message}"
            for key, line, message in problems
        ]
        super().__init__("\n".join(lines))


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys refused, values immutable."""

    model_config = CONFIG


class Problems:
    """Problems a model validator finds, each at its own key below the model being validated:
    `add(("dimensions", 1), "unknown dimension 'x'")`, then `check()` raises them together
    (pydantic prefixes the model's own place in the file, so the message names the full key)."""

    def __init__(self) -> None:
        self._errors: list[InitErrorDetails] = []

    def add(self, loc: Loc, message: str, value: Any = None) -> None:
        error = PydanticCustomError("config", "{problem}", {"problem": message})
        self._errors.append(InitErrorDetails(type=error, loc=loc, input=value))

    def __bool__(self) -> bool:
        return bool(self._errors)

    def check(self, title: str = "configuration") -> None:
        if self._errors:
            raise ValidationError.from_exception_data(title, self._errors)


def read_yaml(path: Path, *, error: type[ConfigError] = ConfigError) -> tuple[Any, dict[Loc, int]]:
    """The file's data and the line of every key and list item (by its path in the data).
    A key written twice in one mapping is refused (YAML would silently keep the last)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(path, [("", None, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as reason:
        raise error(path, [("", None, f"cannot be read: {reason}")]) from None
    try:
        # libyaml (about 10x faster: the registry is read on every `andon ask`); a file it
        # refuses is read again by PyYAML's own parser, whose message names the problem
        data, lines, duplicates = _parse_yaml(text, FAST_LOADER)
    except yaml.YAMLError:
        try:
            data, lines, duplicates = _parse_yaml(text, yaml.SafeLoader)
        except yaml.YAMLError as reason:
            mark = getattr(reason, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(reason, "problem", None) or str(reason)
            raise error(path, [("", line, f"not valid YAML: {problem}")]) from None
    if duplicates:
        raise error(path, duplicates)
    return data, lines


def _parse_yaml(text: str, loader_class: type) -> tuple[Any, dict[Loc, int], list[Problem]]:
    """(data, line of every key and item, duplicate keys) of a YAML text."""
    loader = loader_class(text)
    lines: dict[Loc, int] = {}
    duplicates: list[Problem] = []
    try:
        node = loader.get_single_node()  # parsed once: lines from the nodes, then the data
        for loc, line, first in _node_lines(node, ()) if node is not None else ():
            if first is not None:
                duplicates.append((_key(loc), line, f"duplicate key (first at line {first})"))
            lines.setdefault(loc, line)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, lines, duplicates


def _node_lines(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, int, int | None]]:
    """(path, line, line of an earlier same key or None) for the node and all below it."""
    yield loc, node.start_mark.line + 1, None
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            child = (*loc, key.value)
            line = key.start_mark.line + 1
            first = seen.get(key.value) if key.value != "<<" else None
            seen.setdefault(key.value, line)
            yield child, line, first
            yield from _node_lines(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _node_lines(item, (*loc, index))


def validate(
    model: type[M],
    data: Any,
    file: Path | str,
    lines: dict[Loc, int] | None = None,
    *,
    context: dict[str, Any] | None = None,
    error: type[ConfigError] = ConfigError,
) -> M:
    """`data` as `model`, or an `error` (a ConfigError) naming each bad key and its line.
    `context` reaches the validators (`info.context`): what they check references against."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as invalid:
        by_text = {tuple(map(str, loc)): line for loc, line in (lines or {}).items()}
        problems: list[Problem] = []
        seen: set[tuple[int, str]] = set()
        for item in invalid.errors():
            key, line, message = _problem(item, data, by_text)
            if line is not None and (line, message) in seen:
                continue  # a value written once and used in several places (a YAML alias)
            if line is not None:
                seen.add((line, message))
            problems.append((key, line, message))
        problems.sort(key=lambda problem: problem[1] or 0)
        raise error(file, problems) from None


def load_model(
    path: Path,
    model: type[M],
    *,
    context: dict[str, Any] | None = None,
    error: type[ConfigError] = ConfigError,
) -> M:
    """Read a YAML file and validate it as `model` (an empty file is an empty mapping)."""
    data, lines = read_yaml(path, error=error)
    return validate(model, {} if data is None else data, path, lines, context=context, error=error)


_MESSAGES = {
    "extra_forbidden": "unknown key (check its spelling against the JSON Schema beside the file)",
    "missing": "required key is missing",
    "tuple_type": "Input should be a list",  # YAML has lists; the models keep them as tuples
}
# Messages that need no "(got …)": no value, or written by a validator that names it.
_NO_VALUE = ("extra_forbidden", "missing", "config", "value_error", "assertion_error")


def _problem(item: dict[str, Any], data: Any, lines: dict[tuple[str, ...], int]) -> Problem:
    """(key, line, message) of one pydantic error; `lines` by the path's parts as text (the
    YAML keys 101 and "101" are one key to a reader)."""
    loc = _file_loc(item["loc"], data, missing=item["type"] in ("missing", "config"))
    line = None
    for end in range(len(loc), -1, -1):
        if tuple(map(str, loc[:end])) in lines:
            line = lines[tuple(map(str, loc[:end]))]
            break
    message = _MESSAGES.get(item["type"]) or item["msg"].removeprefix("Value error, ")
    value = item.get("input")
    if item["type"] not in _NO_VALUE and not isinstance(value, dict | list):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        message += f" (got {shown})"
    return _key(loc), line, message


def _file_loc(loc: Loc, data: Any, *, missing: bool = False) -> Loc:
    """The keys of `loc` that are in the file: pydantic adds the name of a union member, the
    tag of a tagged union or a validator's name, none of which the file holds. The last key
    of a `missing` one (a required key, or one a validator asks for) is kept although the
    file lacks it."""
    kept: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif not (missing and index == len(loc) - 1 and isinstance(node, dict)):
            continue
        kept.append(part)
    return tuple(kept)


def _key(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def json_schema(model: type[BaseModel], title: str) -> str:
    """The model's JSON Schema as text, the form kept beside the YAML files."""
    schema = model.model_json_schema()
    schema.pop("title", None)  # the model's class name; `title` names the file instead
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_json_schema(model: type[BaseModel], title: str, path: Path) -> bool:
    """Write the schema when it changed; True when the file was (re)written."""
    text = json_schema(model, title)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


@dataclass(frozen=True)
class SchemaFile:
    """A model's JSON Schema and the file it is kept in, beside the YAML it describes."""

    model: type[BaseModel]
    title: str
    path: Path

    def text(self) -> str:
        return json_schema(self.model, self.title)

    def is_current(self) -> bool:
        return self.path.exists() and self.path.read_text(encoding="utf-8") == self.text()

    def write(self) -> bool:
        """Write the schema when it changed; True when the file was (re)written."""
        return write_json_schema(self.model, self.title, self.path)
