"""The JSON Schema of every configuration file, each exported from the model that reads the
file and kept beside it (tests/app/test_schemas.py fails when one is stale).

After changing a model, refresh them all with

    python -m app.schemas
"""

from __future__ import annotations

from app.reports.alerts.rules import SCHEMA as ALERTS_SCHEMA
from app.reports.definitions import CHANNELS_SCHEMA, CONTACTS_SCHEMA, REPORT_SCHEMA
from ingest.mapping import SCHEMA as MAPPING_SCHEMA
from ingest.sources import SCHEMA as SOURCES_SCHEMA
from metrics.registry import SCHEMA as REGISTRY_SCHEMA
from warehouse.config import SchemaFile

SCHEMAS: tuple[SchemaFile, ...] = (
    REGISTRY_SCHEMA,
    REPORT_SCHEMA,
    CONTACTS_SCHEMA,
    CHANNELS_SCHEMA,
    ALERTS_SCHEMA,
    MAPPING_SCHEMA,
    SOURCES_SCHEMA,
)
REFRESH = "python -m app.schemas"


def main() -> None:
    for schema in SCHEMAS:
        print(f"{schema.path}: {'written' if schema.write() else 'up to date'}")


if __name__ == "__main__":
    main()
