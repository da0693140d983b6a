"""The errors ingest raises: each names what is wrong and what to fix."""

from __future__ import annotations

from pathlib import Path

from warehouse.config import ConfigError


class IngestError(Exception):
    """Base class for errors a user can act on."""


class ContractError(IngestError):
    """contracts.yaml is invalid."""


class MappingError(IngestError, ConfigError):
    """The column mapping file is invalid or does not fit the files it matches: names the
    file, the key and the line."""


class RejectedFile(IngestError):
    """A file that cannot be read at all; it lands nothing."""

    def __init__(self, file: Path | str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = str(file)
        self.message = message
