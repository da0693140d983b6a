"""Per-site column mappings: a site's own export names → contract column names."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from ingest.contracts import Contract
from ingest.errors import MappingError

DEFAULT_NAME = "andon_mapping.yaml"


def normalize(name: str) -> str:
    """Header matching key: trimmed, lowercase, BOM stripped."""
    return name.replace("\ufeff", "").strip().lower()


@dataclass(frozen=True)
class SiteMapping:
    """One site's renames for the files matching a glob relative to the inbox."""

    site: str
    files: str
    columns: dict[str, str] = field(hash=False)
    description: str = ""

    def matches(self, relative: str) -> bool:
        return fnmatchcase(relative.lower(), self.files.lower())


@dataclass(frozen=True)
class Mapping:
    """All site mappings of an inbox; the first matching site applies to a file."""

    sites: tuple[SiteMapping, ...] = ()
    path: Path | None = None

    def renames_for(self, relative: str, contract: Contract) -> dict[str, str]:
        """Normalized source header → contract column for one file (empty if none applies)."""
        for site in self.sites:
            if site.matches(relative):
                unknown = sorted(t for t in site.columns.values() if t not in contract.names)
                if unknown:
                    raise MappingError(
                        f"{self.path}: site {site.site!r} maps to {', '.join(unknown)}, not a"
                        f" column of {contract.system}/{contract.entity} (file {relative});"
                        f" columns are {', '.join(contract.names)}"
                    )
                return dict(site.columns)
        return {}


def _site(item: object, index: int, path: Path, contracts: dict[str, Contract]) -> SiteMapping:
    where = f"{path}: sites[{index}]"
    if not isinstance(item, dict):
        raise MappingError(f"{where}: expected a mapping with site, files and columns")
    site, files, columns = item.get("site"), item.get("files"), item.get("columns")
    if not site or not isinstance(files, str) or not files.strip():
        raise MappingError(f"{where}: needs 'site' and 'files' (a glob relative to the inbox)")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f"{where} ({site}): 'columns' must map source names to contract names")
    renames = {normalize(str(k)): str(v).strip() for k, v in columns.items()}
    parts = files.strip().split("/")
    if len(parts) >= 2 and not any(ch in parts[1] for ch in "*?["):
        contract = contracts.get(parts[1])
        if contract is None:
            raise MappingError(f"{where} ({site}): {files!r} names unknown entity {parts[1]!r}")
        unknown = sorted(t for t in renames.values() if t not in contract.names)
        if unknown:
            raise MappingError(
                f"{where} ({site}): {', '.join(unknown)} is not a column of"
                f" {contract.system}/{contract.entity}; columns are {', '.join(contract.names)}"
            )
    targets = list(renames.values())
    duplicated = sorted({t for t in targets if targets.count(t) > 1})
    if duplicated:
        raise MappingError(f"{where} ({site}): several source columns map to {duplicated}")
    return SiteMapping(str(site), files.strip(), renames, str(item.get("description") or ""))


def load_mapping(path: Path | None, contracts: dict[str, Contract]) -> Mapping:
    """Read and validate a mapping file; no path means no renames."""
    if path is None:
        return Mapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise MappingError(f"cannot read mapping file {path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise MappingError(f"{path}: not valid YAML: {err}") from None
    if data is None:
        return Mapping(path=path)
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise MappingError(f"{path}: expected a top-level 'sites:' list")
    sites = tuple(_site(item, i, path, contracts) for i, item in enumerate(data["sites"]))
    return Mapping(sites, path)


def default_mapping_path(inbox: Path) -> Path | None:
    """`<inbox>/andon_mapping.yaml` if present."""
    candidate = inbox / DEFAULT_NAME
    return candidate if candidate.is_file() else None
