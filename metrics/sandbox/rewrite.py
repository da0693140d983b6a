"""The scope rewrite: every table the query names becomes the scope's filtered subquery.

After the allowlist (guard.py), the query's tree is walked with the names of the CTEs in
sight at each point (a CTE is visible in the query it belongs to and in the CTEs after
it, and in itself and all of them under WITH RECURSIVE):

- a one-part name of a visible CTE is renamed, with the CTE, to a fresh name
  (`andon_cte_<n>`) that no table has, so nothing DuckDB resolves later can be a real table
  by mistake — a CTE is the user's own text, and its inner references are rewritten too;
- every other name is a table of the published warehouse (any schema), and is replaced by
  `metrics.scope.scoped_table` — the one rule of how a table reaches a plant — with every
  table inside that subquery qualified by the attached catalogue; a table the scope cannot
  restrict, an unknown name, another catalogue or a metadata catalogue is refused.

With all plants the subquery is the plain table, so an administrator gets the same
allowlist and resolution with no filter. Finally the rewritten tree is checked once more:
every table left in it must be one this module produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlglot import exp

from metrics.sandbox.errors import SandboxRefusal
from metrics.sandbox.guard import ADMIN_TABLE_FUNCTIONS, TABLE_FUNCTIONS, function_names, refuse
from metrics.scope import MARTS, Scope, ScopeError, scoped_table

CATALOG = "andon"  # the published file is attached under this name
DEFAULT_SCHEMA = "main"
CTE_PREFIX = "andon_cte_"
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog"}
SYSTEM_VIEWS = {"sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"}
OTHER_CATALOGS = {"memory", "system", "temp"}
# table options that change what a name reads (time travel, changes, hints …)
UNSUPPORTED_OPTIONS = (
    "hints",
    "system_time",
    "version",
    "format",
    "pattern",
    "ordinality",
    "when",
    "only",
    "partition",
    "changes",
    "rows_from",
    "indexed",
)
CARRIED = ("joins", "laterals", "pivots", "sample")


@dataclass
class Rewrite:
    """The state of one rewrite: the warehouse's tables and what was produced."""

    scope: Scope
    tables: frozenset[tuple[str, str]]  # (schema, table), lowercase
    counter: int = 0
    made_tables: set[int] = field(default_factory=set)  # id() of tables this rewrite wrote
    cte_names: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)  # "schema.table" of every table read

    def fresh(self) -> str:
        self.counter += 1
        name = f"{CTE_PREFIX}{self.counter}"
        self.cte_names.add(name)
        return name


def restrict(
    root: exp.Expression, scope: Scope, tables: Iterable[tuple[str, str]]
) -> tuple[exp.Expression, frozenset[str]]:
    """`root` rewritten in place for `scope`, and the tables it reads ("schema.table").
    `tables` are the (schema, table) pairs of the attached warehouse."""
    state = Rewrite(scope, frozenset((s.lower(), n.lower()) for s, n in tables))
    _visit(root, {}, state)
    _fix_columns(root, state)
    _verify(root, state)
    return root, frozenset(state.read)


def _visit(node: exp.Expression, env: dict[str, str], state: Rewrite) -> None:
    if isinstance(node, exp.Table):
        _table(node, env, state)
        return
    with_ = node.args.get("with_") if "with_" in node.arg_types else None
    if isinstance(with_, exp.With):
        env = _ctes(with_, env, state)
    for child in list(node.iter_expressions()):
        if child is not with_:
            _visit(child, env, state)


def _ctes(with_: exp.With, env: dict[str, str], state: Rewrite) -> dict[str, str]:
    """Renames each CTE and rewrites its body; returns the names in sight after them."""
    inner = dict(env)
    ctes = [cte for cte in with_.expressions if isinstance(cte, exp.CTE)]
    renamed = {id(cte): state.fresh() for cte in ctes}
    if with_.args.get("recursive"):
        for cte in ctes:
            inner[cte.alias_or_name.lower()] = renamed[id(cte)]
    for cte in ctes:
        _visit(cte.this, inner, state)
        for child in cte.args.get("key_expressions") or []:
            _visit(child, inner, state)
        inner[cte.alias_or_name.lower()] = renamed[id(cte)]
        alias = cte.args.get("alias")
        if isinstance(alias, exp.TableAlias):
            alias.set("this", exp.to_identifier(renamed[id(cte)]))
        else:
            cte.set("alias", exp.TableAlias(this=exp.to_identifier(renamed[id(cte)])))
    return inner


def _table(table: exp.Table, env: dict[str, str], state: Rewrite) -> None:
    for key in CARRIED:
        for child in _children(table, key):
            _visit(child, env, state)
    target = table.this
    if isinstance(target, exp.Func):  # a table function the allowlist let through
        for child in target.iter_expressions():
            _visit(child, env, state)
        return
    name = table.name.lower()
    if not table.args.get("db") and not table.args.get("catalog") and name in env:
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
        table.set("this", exp.to_identifier(env[name]))
        return
    _replace(table, state)


def _children(node: exp.Expression, key: str) -> list[exp.Expression]:
    value = node.args.get(key)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, exp.Expression)]
    return [value] if isinstance(value, exp.Expression) else []


def resolve(table: exp.Table, state: Rewrite) -> tuple[str, str]:
    """(schema, table) of a physical name, or a refusal saying why it cannot be read."""
    catalog = (table.catalog or "").lower()
    schema = (table.db or "").lower()
    name = table.name.lower()
    shown = ".".join(p for p in (table.catalog, table.db, table.name) if p)
    if catalog and catalog != CATALOG:
        raise refuse("sbx_catalog", table, name=shown)
    if not catalog and schema == CATALOG and (CATALOG, name) not in state.tables:
        schema = DEFAULT_SCHEMA
    if schema in OTHER_CATALOGS:
        raise refuse("sbx_catalog", table, name=shown)
    if schema in SYSTEM_SCHEMAS or name in SYSTEM_VIEWS or name.startswith("duckdb_"):
        if not state.scope.is_all:
            raise refuse("sbx_metadata", table, name=shown)
        if schema == "information_schema" and not catalog:
            return schema, name
        raise refuse("sbx_admin_metadata", table, name=shown)
    if not schema:
        if (MARTS, name) in state.tables:
            return MARTS, name
        schemas = sorted(s for s, n in state.tables if n == name)
        if len(schemas) == 1:
            return schemas[0], name
        if schemas:
            choices = ", ".join(f"{s}.{name}" for s in schemas)
            raise refuse("sbx_ambiguous_table", table, name=shown, choices=choices)
        raise refuse("sbx_unknown_table", table, name=shown)
    if (schema, name) not in state.tables:
        raise refuse("sbx_unknown_table", table, name=shown)
    return schema, name


def _replace(table: exp.Table, state: Rewrite) -> None:
    for option in UNSUPPORTED_OPTIONS:
        if table.args.get(option):
            value = table.args[option]
            shown = value.sql(dialect="duckdb") if isinstance(value, exp.Expression) else option
            raise refuse("sbx_table_option", table, option=shown.upper())
    schema, name = resolve(table, state)
    alias = table.args.get("alias")
    alias_name = alias.name if isinstance(alias, exp.TableAlias) and alias.name else name
    if schema == "information_schema":
        replacement: exp.Expression = exp.table_(name, db=schema, alias=alias_name)
    else:
        try:
            replacement = scoped_table(f"{schema}.{name}", state.scope, alias=alias_name)
        except ScopeError:
            raise refuse(
                "sbx_unrestrictable",
                table,
                name=f"{schema}.{name}",
                plants=", ".join(state.scope.sorted()),
            ) from None
        for inner in replacement.find_all(exp.Table):
            inner.set("catalog", exp.to_identifier(CATALOG))
    if isinstance(alias, exp.TableAlias):
        replacement.set("alias", alias.copy())
    for key in CARRIED:
        if table.args.get(key):
            replacement.set(key, table.args[key])
    state.made_tables.update(id(t) for t in replacement.find_all(exp.Table))
    state.read.add(f"{schema}.{name}")
    table.replace(replacement)


def _fix_columns(root: exp.Expression, state: Rewrite) -> None:
    """`marts.fct_x.col` names the table by schema: after the rewrite only `fct_x` exists."""
    read = {tuple(r.split(".", 1)) for r in state.read}
    for column in list(root.find_all(exp.Column)):
        schema = column.db.lower()
        if schema and (schema, column.table.lower()) in read:
            column.set("db", None)
            column.set("catalog", None)


def _verify(root: exp.Expression, state: Rewrite) -> None:
    """Every table left is one the rewrite made, a renamed CTE, or an allowed function."""
    for table in root.find_all(exp.Table):
        if id(table) in state.made_tables:
            continue
        if isinstance(table.this, exp.Func):
            names = function_names(table.this)
            allowed = TABLE_FUNCTIONS | (ADMIN_TABLE_FUNCTIONS if state.scope.is_all else set())
            if names & allowed:
                continue
        elif not table.args.get("db") and table.name in state.cte_names:
            continue
        raise SandboxRefusal("sbx_unresolved", {"name": table.sql(dialect="duckdb")})
