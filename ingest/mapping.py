"""Per-site column mappings (<inbox>/andon_mapping.yaml): a site's own export names →
contract column names.

The file is validated as `Mapping`: unknown keys refused, and a rename to a column the
entity's contract lacks is reported with the file, the key and the line. mapping.schema.json
beside this module is exported from the model (`SCHEMA`); a mapping file points an editor at
it with `# yaml-language-server: $schema=<path to ingest/mapping.schema.json>`.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, ValidationInfo, model_validator

from ingest.contracts import Contract
from ingest.errors import MappingError
from warehouse.config import NonEmptyStr, Problems, SchemaFile, StrictModel, load_model

DEFAULT_NAME = "andon_mapping.yaml"
GLOB = "*?["


def normalize(name: str) -> str:
    """Header matching key: trimmed, lowercase, BOM stripped."""
    return name.replace("\ufeff", "").strip().lower()


class SiteMapping(StrictModel):
    """One site's renames for the files matching a glob relative to the inbox."""

    site: NonEmptyStr
    files: NonEmptyStr = Field(
        description="A glob relative to the inbox, e.g. mes/equipment_states/HP_*."
    )
    columns: Annotated[dict[NonEmptyStr, NonEmptyStr], Field(min_length=1)] = Field(
        description="Source header → contract column; headers match case-insensitively and "
        "with surrounding spaces ignored."
    )
    description: str = ""

    @model_validator(mode="after")
    def _fits_the_contract(self, info: ValidationInfo) -> SiteMapping:
        """When `files` names its system and entity, the renames must be that entity's columns
        (a wildcard entity is checked when a file is matched). Two sources never map to one
        column."""
        problems = Problems()
        contracts: dict[str, Contract] = (info.context or {}).get("contracts") or {}
        parts = self.files.split("/")
        if len(parts) >= 2 and not any(ch in parts[1] for ch in GLOB) and contracts:
            contract = contracts.get(parts[1])
            if contract is None:
                problems.add(("files",), f"{self.files!r} names unknown entity {parts[1]!r}")
            elif not any(ch in parts[0] for ch in GLOB) and parts[0] != contract.system:
                problems.add(
                    ("files",),
                    f"entity {contract.entity!r} comes from {contract.system}/, not {parts[0]}/",
                )
            else:
                for source, target in self.columns.items():
                    if target not in contract.names:
                        problems.add(
                            ("columns", source),
                            f"{target} is not a column of {contract.system}/{contract.entity};"
                            f" columns are {', '.join(contract.names)}",
                        )
        targets = list(self.columns.values())
        for target in sorted({t for t in targets if targets.count(t) > 1}):
            sources = [s for s, t in self.columns.items() if t == target]
            problems.add(("columns",), f"several source columns map to {target}: {sources}")
        headers = [normalize(source) for source in self.columns]
        for header in sorted({h for h in headers if headers.count(h) > 1}):
            sources = [s for s in self.columns if normalize(s) == header]
            problems.add(("columns",), f"{sources} are one header (case and spaces are ignored)")
        problems.check("SiteMapping")
        return self

    @property
    def renames(self) -> dict[str, str]:
        """Normalized source header → contract column."""
        return {normalize(source): target for source, target in self.columns.items()}

    def matches(self, relative: str) -> bool:
        return fnmatchcase(relative.lower(), self.files.lower())


class Mapping(StrictModel):
    """An inbox's column mappings per site; the first site matching a file applies to it."""

    sites: tuple[SiteMapping, ...] = ()
    _path: Path | None = PrivateAttr(None)

    @property
    def path(self) -> Path | None:
        """The file it was read from (None: no mapping file)."""
        return self._path

    def renames_for(self, relative: str, contract: Contract) -> dict[str, str]:
        """Normalized source header → contract column for one file (empty if none applies)."""
        for index, site in enumerate(self.sites):
            if site.matches(relative):
                unknown = sorted(t for t in site.columns.values() if t not in contract.names)
                if unknown:
                    message = (
                        f"site {site.site!r} maps to {', '.join(unknown)}, not a column of"
                        f" {contract.system}/{contract.entity} (file {relative});"
                        f" columns are {', '.join(contract.names)}"
                    )
                    where = self.path or DEFAULT_NAME
                    raise MappingError(where, [(f"sites.{index}.columns", None, message)])
                return site.renames
        return {}


SCHEMA = SchemaFile(
    Mapping, "Andon site column mapping", Path(__file__).with_name("mapping.schema.json")
)


def load_mapping(path: Path | None, contracts: dict[str, Contract]) -> Mapping:
    """Read and validate a mapping file; no path means no renames."""
    if path is None:
        return Mapping()
    mapping = load_model(path, Mapping, context={"contracts": contracts}, error=MappingError)
    mapping._path = path
    return mapping


def default_mapping_path(inbox: Path) -> Path | None:
    """`<inbox>/andon_mapping.yaml` if present."""
    candidate = inbox / DEFAULT_NAME
    return candidate if candidate.is_file() else None
