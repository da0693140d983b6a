"""Governed metrics: the registry of Andon's KPIs and the semantic layer that answers them."""

from metrics.errors import MetricError, RegistryError
from metrics.nlq import Answer, ask
from metrics.query import compile, query
from metrics.registry import Registry, load_registry
from metrics.request import MetricQuery

__all__ = [
    "Answer",
    "MetricError",
    "MetricQuery",
    "Registry",
    "RegistryError",
    "ask",
    "compile",
    "load_registry",
    "query",
]
