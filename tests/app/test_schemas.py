"""Configuration files as schemas: each committed JSON Schema is the one its model exports, each
YAML file points its editor at it, and hostile files (tests/app/hostile_configs.yaml) are
refused with the exact file, line and key."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from app.reports.definitions import (
    CHANNELS_SCHEMA,
    CONTACTS_SCHEMA,
    DEFAULT_DIR,
    REPORT_SCHEMA,
    SPECIAL_FILES,
    load_channels,
    load_contacts,
    load_reports,
)
from app.schemas import REFRESH, SCHEMAS
from ingest import load_contracts
from ingest.mapping import SCHEMA as MAPPING_SCHEMA
from ingest.mapping import load_mapping
from ingest.sources import SCHEMA as SOURCES_SCHEMA
from ingest.sources import load_sources
from metrics.registry import REGISTRY_PATH, load_registry
from metrics.registry import SCHEMA as REGISTRY_SCHEMA
from warehouse.config import ConfigError, SchemaFile

CASES = yaml.safe_load((Path(__file__).with_name("hostile_configs.yaml")).read_text("utf-8"))

# model -> (file name, how Andon loads it, its schema)
LOADERS: dict[str, tuple[str, Callable[[Path], Any], SchemaFile]] = {
    "registry": ("registry.yaml", load_registry, REGISTRY_SCHEMA),
    "report": ("plant_oee.yaml", lambda path: load_reports(path.parent), REPORT_SCHEMA),
    "contacts": ("contacts.yaml", lambda path: load_contacts(path.parent), CONTACTS_SCHEMA),
    "channels": ("channels.yaml", lambda path: load_channels(path.parent), CHANNELS_SCHEMA),
    "mapping": (
        "andon_mapping.yaml",
        lambda path: load_mapping(path, load_contracts()),
        MAPPING_SCHEMA,
    ),
    "sources": ("sources.yaml", load_sources, SOURCES_SCHEMA),
}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.path.name)
def test_committed_schema_is_current(schema: SchemaFile) -> None:
    assert schema.is_current(), f"{schema.path} is stale: run `{REFRESH}`"


def committed_yaml() -> list[tuple[Path, SchemaFile]]:
    files = [(REGISTRY_PATH, REGISTRY_SCHEMA)]
    files += [(DEFAULT_DIR / "contacts.yaml", CONTACTS_SCHEMA)]
    files += [(DEFAULT_DIR / "channels.yaml", CHANNELS_SCHEMA)]
    files += [
        (path, REPORT_SCHEMA)
        for path in sorted(DEFAULT_DIR.glob("*.yaml"))
        if path.name not in SPECIAL_FILES
    ]
    return files


@pytest.mark.parametrize(("path", "schema"), committed_yaml(), ids=lambda v: getattr(v, "name", ""))
def test_committed_yaml_names_its_schema_and_passes_it(path: Path, schema: SchemaFile) -> None:
    text = path.read_text(encoding="utf-8")
    assert schema.path.parent == path.parent, "a schema sits beside the YAML it describes"
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema.path.name}"
    checker = jsonschema.Draft202012Validator(json.loads(schema.text()))
    assert [error.message for error in checker.iter_errors(yaml.safe_load(text))] == []


def test_every_schema_refuses_unknown_keys() -> None:
    for schema in SCHEMAS:
        text = schema.text()
        assert '"additionalProperties": false' in text, schema.path


def case_text(case: dict) -> str:
    if "text" in case:
        return case["text"]
    text = CASES["bases"][case["model"]]
    for old, new in case["replace"]:
        assert text.count(old) == 1, f"{case['name']}: {old!r} must occur once in the base"
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("model", sorted(LOADERS))
def test_the_bases_are_good_files(tmp_path: Path, model: str) -> None:
    name, load, _ = LOADERS[model]
    path = tmp_path / name
    path.write_text(CASES["bases"][model], encoding="utf-8")
    assert load(path)


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["name"])
def test_hostile_file_is_refused_naming_file_line_and_key(tmp_path: Path, case: dict) -> None:
    name, load, schema = LOADERS[case["model"]]
    path = tmp_path / name
    text = case_text(case)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(caught.value).splitlines() == [f"{path}:{line}" for line in case["expect"]]
    if case.get("editor"):
        checker = jsonschema.Draft202012Validator(json.loads(schema.text()))
        assert list(checker.iter_errors(yaml.safe_load(text))), "the editor would accept it"
