"""Configuration files as schemas: YAML → a typed pydantic model, or a message naming the file,
the key and the line.

Every YAML file Andon reads (metrics registry, report definitions, alert rules, contacts,
channels, site mapping) is defined by one pydantic model built on `StrictModel`: unknown keys
are refused, and a JSON Schema exported from the same model sits beside the YAML so an editor
can check it while someone types (`write_json_schema`, kept current by a test).

It sits in warehouse/ because it is the one layer every other one may import (ingest too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class ConfigError(ValueError):
    """A configuration file that cannot be used: names the file, the key and the line."""

    def __init__(self, file: Path | str, problems: list[tuple[str, int | None, str]]) -> None:
        self.file = str(file)
        self.problems = problems  # (dotted key, 1-based line or None, message)
        lines = [
            f"{self.file}{f':{line}' if line else ''}: {key + ': ' if key else ''}{message}"
            for key, line, message in problems
        ]
        super().__init__("\n".join(lines))


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys refused, values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def read_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    """The file's data and the line of every key and list item (by its path in the data)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, [("", None, "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [("", None, f"cannot be read: {error}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(path, [("", line, f"not valid YAML: {problem}")]) from None
    lines: dict[Loc, int] = {}
    if node is not None:
        for loc, line in _node_lines(node, ()):
            lines.setdefault(loc, line)
    return data, lines


def _node_lines(node: yaml.Node, loc: Loc) -> Iterator[tuple[Loc, int]]:
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, key.value)
            yield child, key.start_mark.line + 1
            yield from _node_lines(value, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _node_lines(item, (*loc, index))


def validate(
    model: type[M], data: Any, file: Path | str, lines: dict[Loc, int] | None = None
) -> M:
    """`data` as `model`, or a ConfigError naming each bad key and its line."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ConfigError(file, [_problem(item, lines or {}) for item in error.errors()]) from None


def load_model(path: Path, model: type[M]) -> M:
    """Read a YAML file and validate it as `model` (an empty file is an empty mapping)."""
    data, lines = read_yaml(path)
    return validate(model, {} if data is None else data, path, lines)


def _problem(item: dict[str, Any], lines: dict[Loc, int]) -> tuple[str, int | None, str]:
    # pydantic adds the tag of a union member or a validator's name to `loc`: keep the keys
    # that really are in the file, and take the line of the nearest one that is.
    loc: Loc = tuple(part for part in item["loc"] if not _is_tag(part))
    line = None
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            line = lines[loc[:end]]
            break
    key = ".".join(str(part) for part in loc)
    message = item["msg"]
    if item["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against the JSON Schema beside the file)"
    elif item["type"] == "missing":
        message = "required key is missing"
    elif message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return key, line, message


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def json_schema(model: type[BaseModel], title: str) -> str:
    """The model's JSON Schema as text, the form kept beside the YAML files."""
    schema = model.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_json_schema(model: type[BaseModel], title: str, path: Path) -> bool:
    """Write the schema when it changed; True when the file was (re)written."""
    text = json_schema(model, title)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
