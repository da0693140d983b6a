"""Governed metrics: the registry of Andon's KPIs and the semantic layer that answers them.

The public names are loaded on first use (PEP 562), so that importing one light module of
the package (metrics.i18n for the CLI's options, say) does not import the query box, Polars,
DuckDB and sqlglot with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warehouse.lazy import lazy_exports

if TYPE_CHECKING:
    from metrics.errors import MetricError, RegistryError
    from metrics.nlq import Answer, ask
    from metrics.query import compile, query
    from metrics.registry import Registry, load_registry
    from metrics.request import MetricQuery
    from metrics.scope import PLANT_REACH, Scope, ScopeError, scoped_table

__all__ = [
    "Answer",
    "MetricError",
    "MetricQuery",
    "PLANT_REACH",
    "Registry",
    "RegistryError",
    "Scope",
    "ScopeError",
    "ask",
    "compile",
    "load_registry",
    "query",
    "scoped_table",
]


__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Answer": "metrics.nlq",
        "MetricError": "metrics.errors",
        "MetricQuery": "metrics.request",
        "PLANT_REACH": "metrics.scope",
        "Registry": "metrics.registry",
        "RegistryError": "metrics.errors",
        "Scope": "metrics.scope",
        "ScopeError": "metrics.scope",
        "ask": "metrics.nlq",
        "compile": "metrics.query",
        "load_registry": "metrics.registry",
        "query": "metrics.query",
        "scoped_table": "metrics.scope",
    },
)
