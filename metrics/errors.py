"""The errors of the metrics layer: messages say what is wrong and what to do instead."""

from __future__ import annotations

from warehouse.config import ConfigError


class MetricError(ValueError):
    """A metric request that cannot be answered: unknown name, bad date, disallowed grouping."""


class RegistryError(MetricError, ConfigError):
    """The registry file itself is inconsistent: each problem names the file, key and line."""
