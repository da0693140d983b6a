"""The errors of the metrics layer: messages say what is wrong and what to do instead."""

from __future__ import annotations


class MetricError(ValueError):
    """A metric request that cannot be answered: unknown name, bad date, disallowed grouping."""


class RegistryError(MetricError):
    """The registry file itself is inconsistent; the message lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid metrics registry {source}:\n{listed}")
