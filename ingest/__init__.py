"""Ingest: inbox extracts → validated, typed `raw.<entity>` tables with lineage and quarantine.

The public names are loaded on first use (PEP 562): landing a file does not import Polars,
which only the status views need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.lazy import lazy_exports

if TYPE_CHECKING:
    from ingest.contracts import Check, Column, Contract, load_contracts
    from ingest.errors import ContractError, IngestError, MappingError, RejectedFile
    from ingest.loader import ingest_inbox
    from ingest.results import FileEvent, FileResult, IngestReport
    from ingest.status import landing_status, pull_status

_EXPORTS = {
    "Check": "ingest.contracts",
    "Column": "ingest.contracts",
    "Contract": "ingest.contracts",
    "load_contracts": "ingest.contracts",
    "ContractError": "ingest.errors",
    "IngestError": "ingest.errors",
    "MappingError": "ingest.errors",
    "RejectedFile": "ingest.errors",
    "ingest_inbox": "ingest.loader",
    "FileEvent": "ingest.results",
    "FileResult": "ingest.results",
    "IngestReport": "ingest.results",
    "landing_status": "ingest.status",
    "pull_status": "ingest.status",
}
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
    "load_contracts",
    "pull_status",
]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
