"""The allowlist: what SQL the workbench accepts at all, before any table is resolved.

A query passes only if sqlglot (dialect duckdb) reads it as exactly one SELECT / WITH /
UNION query — a trailing comment is not a second statement — no deeper than the nesting
limit, and nothing anywhere in its tree writes, changes settings, reads a file or URL,
reveals server settings, or calls a table function outside a short list. Names that
DuckDB resolves (tables, CTEs) are the rewrite's business (rewrite.py); the hardened
connection (connection.py) holds even where this check would miss.
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from metrics.sandbox.errors import SandboxRefusal
from metrics.sandbox.limits import Limits
from metrics.scope import Scope

QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)
FORBIDDEN_NODES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Copy,
    exp.Command,
    exp.Set,
    exp.Pragma,
    exp.Use,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.Into,
    exp.Describe,
    exp.Summarize,
    exp.Show,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Placeholder,
    exp.Parameter,
)
# functions that run SQL given as text (which this check never sees)
SQL_TEXT_FUNCTIONS = {"query", "query_table", "json_execute_serialized_sql"}
# functions that read files or URLs
FILE_FUNCTIONS = {
    "glob",
    "sniff_csv",
    "load_extension",
    "arrow_scan",
    "pandas_scan",
    "python_map_function",
    "seq_scan",
}
FILE_PREFIXES = ("read_", "iceberg_", "delta_", "parquet_", "sqlite_", "postgres_", "mysql_")
FILE_SUFFIXES = ("_scan",)
# scalar functions that reveal the server (settings hold paths) or write somewhere
SERVER_FUNCTIONS = {
    "current_setting",
    "getenv",
    "stats",  # a column's statistics: min / max over rows the scope filters out
    "write_log",
    "checkpoint",
    "force_checkpoint",
    "which_secret",
}
SERVER_PREFIXES = ("pragma_", "duckdb_", "enable_", "disable_")
# catalogue functions: fine for an administrator, not for a plant-restricted user
METADATA_FUNCTIONS = {
    "pg_get_viewdef",
    "pg_get_constraintdef",
    "pg_get_expr",
    "col_description",
    "obj_description",
    "shobj_description",
}
# the table functions a FROM clause may call; ADMIN_TABLE_FUNCTIONS only with all plants
TABLE_FUNCTIONS = {"range", "generate_series", "unnest", "json_each", "json_tree"}
ADMIN_TABLE_FUNCTIONS = {
    "duckdb_tables",
    "duckdb_columns",
    "duckdb_views",
    "duckdb_schemas",
    "duckdb_types",
    "duckdb_constraints",
    "duckdb_functions",
    "duckdb_keywords",
    "duckdb_indexes",
    "duckdb_sequences",
    "duckdb_dependencies",
}
TOKEN_REPR = re.compile(r"<Token token_type: [^,]+, text: (.*?), line: .*?>")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
OPENERS = {TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE, TokenType.CASE}
CLOSERS = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE, TokenType.END}
# first words sqlglot cannot parse or that start a statement other than a query
STATEMENT_WORDS = {
    "EXPORT",
    "IMPORT",
    "ATTACH",
    "DETACH",
    "INSTALL",
    "LOAD",
    "FORCE",
    "SET",
    "RESET",
    "PRAGMA",
    "CALL",
    "COPY",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "CHECKPOINT",
    "VACUUM",
    "ANALYZE",
    "USE",
    "BEGIN",
    "START",
    "COMMIT",
    "ROLLBACK",
    "ABORT",
    "TRUNCATE",
    "MERGE",
    "EXPLAIN",
    "DESCRIBE",
    "SHOW",
    "SUMMARIZE",
    "PIVOT",
    "UNPIVOT",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "UPSERT",
}


def function_names(node: exp.Func) -> set[str]:
    """Every name `node` may be called by in DuckDB: sqlglot's and the generated one."""
    names = {name.lower() for name in type(node).sql_names()} - {"anonymous"}
    if isinstance(node, exp.Anonymous):
        names.add(str(node.name).lower())
    head = node.sql(dialect="duckdb").split("(", 1)[0].strip().strip('"').lower()
    if IDENTIFIER.match(head):
        names.add(head)
    return names


def reads_files(name: str) -> bool:
    return name in FILE_FUNCTIONS or name.startswith(FILE_PREFIXES) or name.endswith(FILE_SUFFIXES)


def reveals_server(name: str) -> bool:
    return name in SERVER_FUNCTIONS or name.startswith(SERVER_PREFIXES)


def position(node: exp.Expression) -> tuple[int | None, int | None]:
    """(line, column) of `node` in the user's text, when sqlglot kept it."""
    for candidate in (node, node.this if isinstance(node.this, exp.Expression) else None):
        meta = getattr(candidate, "meta", None) or {}
        if "line" in meta:
            return meta["line"], meta.get("col")
    return None, None


def refuse(key: str, node: exp.Expression | None = None, **values: object) -> SandboxRefusal:
    line, column = position(node) if node is not None else (None, None)
    return SandboxRefusal(key, values, line, column)


def too_deep(depth: int | str, limits: Limits) -> SandboxRefusal:
    return SandboxRefusal("sbx_too_deep", {"depth": depth, "limit": limits.max_depth})


def _tokens(sql: str) -> list:
    try:
        return sqlglot.tokenize(sql, read="duckdb")
    except TokenError as error:
        raise SandboxRefusal("sbx_syntax", {"detail": str(error)}) from None


def _check_nesting(tokens: list, limits: Limits) -> None:
    depth = deepest = 0
    for token in tokens:
        if token.token_type in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.token_type in CLOSERS:
            depth = max(0, depth - 1)
    if deepest > limits.max_depth:
        raise too_deep(deepest, limits)


def tree_depth(root: exp.Expression) -> int:
    """The depth of the expression tree, found without recursion."""
    deepest = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_expressions())
    return deepest


def _parse(sql: str) -> list[exp.Expression]:
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "falling back to parsing as a Command" is our refusal
    try:
        parsed = sqlglot.parse(sql, read="duckdb")
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        detail = first.get("description") or str(error).splitlines()[0]
        detail = TOKEN_REPR.sub(lambda m: repr(m.group(1)), detail)
        raise SandboxRefusal(
            "sbx_syntax", {"detail": detail}, first.get("line"), first.get("col")
        ) from None
    except TokenError as error:
        raise SandboxRefusal("sbx_syntax", {"detail": str(error)}) from None
    finally:
        logger.setLevel(level)
    # `select 1; -- done`: what follows the last semicolon is only a comment
    return [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]


def check_select(
    sql: str, scope: Scope | None = None, limits: Limits | None = None
) -> exp.Expression:
    """The parsed query if it is one read-only SELECT within the limits; otherwise a
    SandboxRefusal saying why. `scope` decides whether catalogue functions are allowed
    (only with all plants); None checks as for all plants."""
    limits = limits or Limits()
    scope = scope or Scope.all()
    if not sql.strip().strip(";").strip():
        raise SandboxRefusal("sbx_empty")
    if len(sql) > limits.max_sql_chars:
        raise SandboxRefusal("sbx_too_long", {"length": len(sql), "limit": limits.max_sql_chars})
    tokens = _tokens(sql)
    if not tokens:
        raise SandboxRefusal("sbx_empty")
    word = tokens[0].text.upper()
    if word in STATEMENT_WORDS:
        raise SandboxRefusal("sbx_statement", {"word": word}, 1, 1)
    _check_nesting(tokens, limits)
    try:
        statements = _parse(sql)
        if not statements:
            raise SandboxRefusal("sbx_empty")
        if len(statements) != 1:
            raise SandboxRefusal("sbx_many", {"count": len(statements)})
        root = statements[0]
        if tree_depth(root) > limits.tree_depth:
            raise too_deep(f"> {limits.max_depth}", limits)
        if not isinstance(root, QUERY_ROOTS):
            raise refuse("sbx_not_query", root, kind=root.key.upper())
        for node in root.walk():
            _check_node(node, scope)
    except RecursionError:
        raise too_deep(f"> {limits.max_depth}", limits) from None
    return root


def _check_node(node: exp.Expression, scope: Scope) -> None:
    if isinstance(node, FORBIDDEN_NODES):
        if isinstance(node, exp.Placeholder | exp.Parameter):
            raise refuse("sbx_parameter", node)
        raise refuse("sbx_write_inside", node, kind=node.key.upper())
    if isinstance(node, exp.Func):
        _check_function(node, scope)
    if isinstance(node, exp.Table):
        _check_table(node, scope)


def _check_function(node: exp.Func, scope: Scope) -> None:
    names = function_names(node)
    _check_reads(node, names)
    if isinstance(node.parent, exp.Table) and node.parent.this is node:
        return  # a table function: _check_table
    if isinstance(node.parent, exp.From | exp.Join) and not isinstance(node, exp.Unnest):
        _check_table_function(node, names, scope)  # a function sqlglot put in FROM as is
        return
    for name in sorted(names):
        if reveals_server(name):
            raise refuse("sbx_server_function", node, name=name)
        if name in METADATA_FUNCTIONS and not scope.is_all:
            raise refuse("sbx_metadata", node, name=f"{name}()")


def _check_reads(node: exp.Func, names: set[str]) -> None:
    for name in sorted(names):
        if name in SQL_TEXT_FUNCTIONS:
            raise refuse("sbx_sql_function", node, name=name)
        if reads_files(name):
            raise refuse("sbx_file_function", node, name=name)


def _check_table_function(target: exp.Func, names: set[str], scope: Scope) -> None:
    if names & TABLE_FUNCTIONS:
        return
    if names & ADMIN_TABLE_FUNCTIONS:
        if scope.is_all:
            return
        raise refuse("sbx_metadata", target, name=f"{min(names & ADMIN_TABLE_FUNCTIONS)}()")
    name = min(names) if names else target.key
    if name.startswith("duckdb_") and not scope.is_all:
        raise refuse("sbx_metadata", target, name=f"{name}()")
    raise refuse("sbx_table_function", target, name=name)


def _check_table(table: exp.Table, scope: Scope) -> None:
    target = table.this
    if isinstance(target, exp.Func):
        names = function_names(target)
        _check_reads(target, names)
        _check_table_function(target, names, scope)
        return
    for part in table.parts:
        if isinstance(part, exp.Identifier) and not IDENTIFIER.match(part.name):
            raise refuse("sbx_not_table_name", part, name=repr(part.name))
        if not isinstance(part, exp.Identifier):
            raise refuse("sbx_not_table_name", part, name=part.sql("duckdb"))
