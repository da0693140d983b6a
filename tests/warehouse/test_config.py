"""The YAML → model loader: every problem names the file, the key as written and its line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import ValidationInfo, model_validator

from warehouse.config import (
    ConfigError,
    Problems,
    SchemaFile,
    StrictModel,
    load_model,
    read_yaml,
    validate,
)


class Label(StrictModel):
    en: str
    zh: str | None = None


class Machine(StrictModel):
    name: str
    speed: float
    kind: Literal["press", "lathe"] = "press"
    label: str | Label = ""
    parts: tuple[str, ...] = ()


class Plant(StrictModel):
    machines: dict[str, Machine]
    order: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _order_names_machines(self, info: ValidationInfo) -> Plant:
        problems = Problems()
        allowed = (info.context or {}).get("allowed")
        for i, name in enumerate(self.order):
            if name not in self.machines:
                problems.add(("order", i), f"{name!r} is not a machine")
        for name in self.machines:
            if allowed is not None and name not in allowed:
                problems.add(("machines", name), f"{name!r} is not allowed here")
        problems.check()
        return self


PLANT = """\
machines:
  p1:
    name: Press 1
    speed: 2.5
  l1:
    name: Lathe 1
    speed: 1
    kind: lathe
order: [p1, l1]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plant.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, **context: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_model(path, Plant, context=context or None)
    return str(caught.value).splitlines()


def test_a_good_file_loads(tmp_path: Path) -> None:
    plant = load_model(write(tmp_path, PLANT), Plant)
    assert plant.machines["l1"] == Machine(name="Lathe 1", speed=1.0, kind="lathe")
    assert plant.order == ("p1", "l1")


UNKNOWN = "unknown key (check its spelling against the JSON Schema beside the file)"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    speed: 2.5\n",
            "    speed: 2.5\n    colour: red\n",
            [f"5: machines.p1.colour: {UNKNOWN}"],
        ),
        ("    speed: 2.5\n", "", ["2: machines.p1.speed: required key is missing"]),
        (
            "speed: 1\n",
            "speed: fast\n",
            [
                "7: machines.l1.speed: Input should be a valid number, unable to parse string as"
                " a number (got 'fast')"
            ],
        ),
        (
            "kind: lathe",
            "kind: mill",
            ["8: machines.l1.kind: Input should be 'press' or 'lathe' (got 'mill')"],
        ),
        ("order: [p1, l1]", "order: [p1, x9]", ["9: order.1: 'x9' is not a machine"]),
        ("order: [p1, l1]", "order: p1", ["9: order: Input should be a list (got 'p1')"]),
        # a union (text or {en, zh}): each member's complaint, none naming the member
        (
            "    speed: 2.5\n",
            "    speed: 2.5\n    label: {zh: 压机}\n",
            [
                "5: machines.p1.label: Input should be a valid string",
                "5: machines.p1.label.en: required key is missing",
            ],
        ),
        ("  l1:\n", "  p1:\n", ["5: machines.p1: duplicate key (first at line 2)"]),
        (
            "order: [p1, l1]",
            "order: [p1, l1",
            ["10: not valid YAML: expected ',' or ']', but got '<stream end>'"],
        ),
    ],
)
def test_each_problem_names_line_and_key(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    assert old in PLANT
    path = write(tmp_path, PLANT.replace(old, new, 1))
    assert problems(path) == [f"{path}:{line}" for line in expected]


def test_every_problem_at_once_in_line_order(tmp_path: Path) -> None:
    text = PLANT.replace("kind: lathe", "kind: mill").replace("speed: 2.5", "speed: []")
    path = write(tmp_path, text + "colour: red\n")
    assert problems(path) == [
        f"{path}:4: machines.p1.speed: Input should be a valid number",  # no "(got [])"
        f"{path}:8: machines.l1.kind: Input should be 'press' or 'lathe' (got 'mill')",
        f"{path}:10: colour: {UNKNOWN}",
    ]


def test_validators_read_the_context(tmp_path: Path) -> None:
    path = write(tmp_path, PLANT)
    assert problems(path, allowed={"p1"}) == [f"{path}:5: machines.l1: 'l1' is not allowed here"]


def test_numbers_are_text_where_text_is_expected(tmp_path: Path) -> None:
    plant = load_model(write(tmp_path, PLANT.replace("name: Press 1", "name: 101")), Plant)
    assert plant.machines["p1"].name == "101"


def test_whitespace_is_trimmed_and_values_frozen(tmp_path: Path) -> None:
    plant = load_model(write(tmp_path, PLANT.replace("Press 1", "'  Press 1  '")), Plant)
    assert plant.machines["p1"].name == "Press 1"
    with pytest.raises(ValueError, match="frozen"):
        plant.machines["p1"].name = "x"  # type: ignore[misc]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert problems(missing) == [f"{missing}: file not found"]
    assert problems(write(tmp_path, "")) == [
        f"{tmp_path / 'plant.yaml'}: machines: required key is missing"
    ]


def test_a_key_with_a_number_keeps_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PLANT.replace("  l1:", "  101:"))
    assert problems(path) == [f"{path}:9: order.1: 'l1' is not a machine"]
    text = (
        PLANT.replace("  l1:", "  101:")
        .replace("order: [p1, l1]", "")
        .replace("    speed: 1\n", "")
    )
    path = write(tmp_path, text)
    assert problems(path) == [f"{path}:5: machines.101.speed: required key is missing"]


def test_validate_without_lines_still_names_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        validate(Plant, {"machines": {"p1": {"name": "P", "speed": 1, "x": 1}}}, "inline")
    assert str(caught.value) == f"inline: machines.p1.x: {UNKNOWN}"
    assert caught.value.problems == [("machines.p1.x", None, UNKNOWN)]


def test_the_error_class_can_be_chosen(tmp_path: Path) -> None:
    class PlantError(ConfigError):
        pass

    with pytest.raises(PlantError):
        load_model(write(tmp_path, "machines: {}\nextra: 1\n"), Plant, error=PlantError)
    with pytest.raises(PlantError, match="not valid YAML"):
        read_yaml(write(tmp_path, "a: [\n"), error=PlantError)


def test_lines_of_every_key_and_item(tmp_path: Path) -> None:
    data, lines = read_yaml(write(tmp_path, PLANT))
    assert data["machines"]["p1"]["speed"] == 2.5
    assert lines[("machines", "l1", "kind")] == 8
    assert lines[("order", 1)] == 9


def test_schema_file_knows_when_it_is_stale(tmp_path: Path) -> None:
    schema = SchemaFile(Plant, "A plant", tmp_path / "plant.schema.json")
    assert not schema.is_current()
    assert schema.write() is True
    assert schema.is_current() and schema.write() is False
    text = schema.path.read_text(encoding="utf-8")
    assert text.startswith(
        '{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n  "title": "A plant",\n'
    )
    assert '"additionalProperties": false' in text
