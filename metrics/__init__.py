"""Governed metrics: the registry of Andon's KPIs and the semantic layer that answers them."""

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
