"""The SQL sandbox behind the workbench: one read-only query, restricted to the user's
plants, run within limits (see README "The app").

    from metrics.sandbox import run_sql, Limits
    result = run_sql(sql, scope, warehouse=path, limits=Limits(timeout_s=5))

guard.py is the allowlist, rewrite.py the scope rewrite, connection.py the hardened
DuckDB connection, limits.py the limits, runner.py puts them together; schema.py and
saved.py serve the page's schema panel and saved queries.
"""

from metrics.sandbox.errors import QueryFailed, SandboxError, SandboxRefusal
from metrics.sandbox.guard import check_select
from metrics.sandbox.limits import Limits, format_size
from metrics.sandbox.runner import SandboxResult, prepare, published_file, run_sql
from metrics.sandbox.saved import delete_query, save_query, saved_queries, store_path
from metrics.sandbox.schema import manifest_descriptions, manifest_path, schema_columns

__all__ = [
    "Limits",
    "QueryFailed",
    "SandboxError",
    "SandboxRefusal",
    "SandboxResult",
    "check_select",
    "delete_query",
    "format_size",
    "manifest_descriptions",
    "manifest_path",
    "prepare",
    "published_file",
    "run_sql",
    "save_query",
    "saved_queries",
    "schema_columns",
    "store_path",
]
