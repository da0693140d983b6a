"""Ingest: inbox extracts → validated, typed `raw.<entity>` tables with lineage and quarantine."""

from ingest.contracts import Check, Column, Contract, load_contracts
from ingest.errors import ContractError, IngestError, MappingError, RejectedFile
from ingest.loader import ingest_inbox
from ingest.results import FileEvent, FileResult, IngestReport
from ingest.status import landing_status, pull_status

__all__ = [
    "Check",
    "Column",
    "Contract",
    "ContractError",
    "FileEvent",
    "FileResult",
    "IngestError",
    "IngestReport",
    "MappingError",
    "RejectedFile",
    "ingest_inbox",
    "landing_status",
    "pull_status",
    "load_contracts",
]
