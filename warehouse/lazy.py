"""Package names loaded on first use (PEP 562), so importing one light module of a package
does not import everything the package exports (DuckDB, Polars, sqlglot)."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping


class _LazyPackage(types.ModuleType):
    """A package whose exported names may share a submodule's name (metrics.query is the
    function, metrics/query.py its module): importing the submodule binds the function,
    as the eager `from metrics.query import query` in the package used to."""

    _shadowed: frozenset[str] = frozenset()

    def __setattr__(self, name: str, value: object) -> None:
        if name in self._shadowed and isinstance(value, types.ModuleType):
            if not hasattr(value, name):  # still being imported: __getattr__ binds it later
                return
            value = getattr(value, name)
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """__getattr__ and __dir__ for `package` that import each exported name from its module
    (exports: name -> module) on first use, and bind it in the package from then on."""
    module = sys.modules[package]
    shadowed = frozenset(name for name in exports if f"{package}.{name}" in exports.values())
    module.__class__ = type("_LazyPackage", (_LazyPackage,), {"_shadowed": shadowed})

    def __getattr__(name: str) -> object:
        source = exports.get(name)
        if source is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(module), *exports})

    return __getattr__, __dir__
