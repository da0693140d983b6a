"""The words the query box understands: metric and dimension names from the registry, and
dimension values (codes and bilingual names) learned from the warehouse's dim tables, plus
the registry's words for values (a dimension's `values:`: 'raw material' is material type
RM, 'Asian customers' both China regions).

Values are learned within the asker's plant scope (metrics/scope.py): a Suzhou manager's
vocabulary knows Suzhou's lines and machines, never Dongguan's, so no clarification can
offer them; master data shared by every plant (materials, customers, defect codes) is known
to every non-empty scope, and an empty scope learns no values at all.

Learning values costs a few queries, so a vocabulary is cached per published warehouse
file (path, size and mtime) and scope: publishing a new build gives a new file and a new
vocabulary. Tests build one from a few in-memory rows with `Vocabulary.build(rows)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from sqlglot import exp

from metrics.i18n import t
from metrics.nlq.normalize import has_cjk, normalize
from metrics.registry import Registry, load_registry
from metrics.scope import NO_PLANTS, Scope, scoped_table

LOSS_PHRASES = (
    "oee losses",
    "oee loss",
    "loss waterfall",
    "six big losses",
    "losses",
    "loss breakdown",
    "六大损失",
    "oee损失",
    "损失瀑布",
    "损失",
    "各项损失",
)
# The languages questions are asked in (the words below are theirs); a reader of another
# language sees answers in theirs, and asks in English.
QUESTION_LANGS = ("en", "zh")
# Parents a value implies: a line belongs to a plant, a product to a family.
PARENTS = {
    "line": {"plant": "plant_id"},
    "equipment": {"line": "line_id", "plant": "plant_id"},
    "warehouse": {"plant": "plant_id"},
    "product": {"product_family": "product_family"},
}
_SUFFIXES = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|集团|\s+(?:gmbh|sas|ab|inc|corp|llc|co ltd|ltd|co))$"
)


def question_lang(lang: str) -> str:
    """The language a question re-asked for a `lang` reader is written in: `lang` itself
    when the question box reads it (QUESTION_LANGS), else English."""
    return lang if lang in QUESTION_LANGS else QUESTION_LANGS[0]


@dataclass(frozen=True)
class Term:
    """What a phrase means: metric(s) (`every` = all of them, else one of them, ambiguous),
    a dimension to group by, or values of a dimension."""

    kind: str  # metric | dimension | value
    names: tuple[str, ...]
    dim: str = ""
    every: bool = False


@dataclass(frozen=True)
class Value:
    """A dimension value and its names. The question box reads the English and Chinese ones;
    Vietnamese is shown only, and is the English name when the warehouse has none."""

    key: str
    label_en: str
    label_zh: str
    parents: Mapping[str, str] = field(default_factory=dict)
    label_vi: str = ""

    def label(self, lang: str) -> str:
        if lang == "zh":
            return self.label_zh
        if lang == "vi":
            return self.label_vi or self.label_en
        return self.label_en


@dataclass
class Vocabulary:
    registry: Registry
    phrases: dict[str, tuple[Term, ...]]
    values: dict[str, dict[str, Value]]
    fuzzy: dict[int, list[str]]
    max_len: int

    @classmethod
    def build(
        cls, rows: Mapping[str, Iterable[Mapping[str, object]]], registry: Registry | None = None
    ) -> Vocabulary:
        """From {dimension: [{key, en, zh, [vi], <parent dim>: key…}]} rows and the
        registry."""
        registry = registry or load_registry()
        phrases: dict[str, list[Term]] = {}
        for metric in registry.metrics.values():
            words = [
                metric.name.replace("_", " "),
                metric.label_en,
                metric.label_zh,
                *metric.synonyms.get("en", ()),
                *metric.synonyms.get("zh", ()),
            ]
            words += [re.sub(r"\s*[(（].*?[)）]\s*", "", w) for w in words]
            for word in words:
                _add(phrases, word, Term("metric", (metric.name,)))
        losses = tuple(m for m in registry.metrics if m.startswith("oee_loss_"))
        for word in LOSS_PHRASES:
            _add(phrases, word, Term("metric", losses, every=True), replace=True)
        for dim, words in dimension_synonyms(registry).items():
            for word in words:
                _add(phrases, word, Term("dimension", (dim,), dim=dim))
        values: dict[str, dict[str, Value]] = {}
        for dim, listed in rows.items():
            known = values.setdefault(dim, {})
            for row in listed:
                value = _value(dim, row)
                if value is None:
                    continue
                known[value.key] = value
                for word in aliases(dim, value):
                    _add(phrases, word, Term("value", (value.key,), dim=dim), merge=True)
        _add_value_words(phrases, values, registry)
        merged = {p: tuple(ts) for p, ts in phrases.items()}
        fuzzy: dict[int, list[str]] = {}
        for phrase, terms in merged.items():
            if has_cjk(phrase) or len(phrase) < 4 or any(ch.isdigit() for ch in phrase):
                continue
            if all(t.kind == "value" and phrase == t.names[0].lower() for t in terms):
                continue
            fuzzy.setdefault(phrase.count(" ") + 1, []).append(phrase)
        return cls(registry, merged, values, fuzzy, max(map(len, merged)))

    def keys(self, dim: str) -> tuple[str, ...]:
        return tuple(sorted(self.values.get(dim, {})))

    def label(self, dim: str, key: str, lang: str) -> str:
        value = self.values.get(dim, {}).get(key)
        return value.label(lang) if value else key


def dimension_synonyms(registry: Registry) -> dict[str, list[str]]:
    """The words for each dimension: its name, labels and the registry's synonyms."""
    words: dict[str, list[str]] = {}
    for name, dim in registry.dimensions.items():
        listed = [dim.label_en, dim.label_zh, name.replace("_", " ")]
        listed += [*dim.synonyms["en"], *dim.synonyms["zh"]]
        listed += [w.split("/")[0] for w in listed if "/" in w]
        words[name] = listed
    return words


def _add_value_words(
    phrases: dict[str, list[Term]], values: dict[str, dict[str, Value]], registry: Registry
) -> None:
    """The registry's words for dimension values (`values:` of a dimension). A dimension with
    a table keeps only the keys its rows have (the asker's scope); one without a table (a
    material type) learns its values from the words, the first ones being their labels."""
    if not any(values.values()):
        return  # an empty scope learns no values
    for dim_name, dim in registry.dimensions.items():
        known = values.get(dim_name)
        for entry in dim.values:
            if dim.table is None:
                known = values.setdefault(dim_name, {})
                if len(entry.keys) == 1 and entry.keys[0] not in known:
                    en = entry.en[0] if entry.en else entry.keys[0]
                    zh = entry.zh[0] if entry.zh else en
                    known[entry.keys[0]] = Value(entry.keys[0], en, zh, {}, en)
            keys = tuple(k for k in entry.keys if known and k in known)
            if not keys:
                continue
            for word in (*entry.en, *entry.zh):
                _add(phrases, word, Term("value", keys, dim=dim_name), merge=True)


def _value(dim: str, row: Mapping[str, object]) -> Value | None:
    key = row.get("key")
    if key is None or str(key).strip() == "":
        return None
    key = str(key)
    en = str(row.get("en") or key)
    zh = str(row.get("zh") or en)
    vi = str(row.get("vi") or en)
    parents = {p: str(row[p]) for p in PARENTS.get(dim, {}) if row.get(p) is not None}
    return Value(key, en, zh, parents, vi)


def aliases(dim: str, value: Value) -> set[str]:
    """Every way the value may be written: code, names, and names without their suffix."""
    words = {value.key, value.label_en, value.label_zh}
    if dim == "plant":
        words |= {
            re.sub(r"\s+plant$", "", value.label_en, flags=re.I),
            value.label_zh.removesuffix("工厂"),
            value.label_zh.removesuffix("工厂") + "厂",
        }
    if dim in ("line", "equipment") and "plant" in value.parents:
        words.add(value.key.removeprefix(value.parents["plant"] + "-"))
    if dim in ("product", "defect_code"):
        words.add(re.sub(r"^[a-z]{1,3}-", "", value.key, flags=re.I))
    if dim in ("customer", "supplier"):
        words |= {
            _SUFFIXES.sub("", normalize(value.label_en)),
            _SUFFIXES.sub("", normalize(value.label_zh)),
        }
    if dim == "product_family":
        words.add(value.label_en + "s")
    out: set[str] = set()
    for word in words:
        text = normalize(word)
        if len(text) < 2 and not has_cjk(text):
            continue
        out.add(text)
        if not has_cjk(text) and any(ch.isdigit() for ch in text):
            out.add(text.replace(" ", ""))
            out.add(re.sub(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])", " ", text))
    return out


def _add(
    phrases: dict[str, list[Term]],
    word: str,
    term: Term,
    *,
    replace: bool = False,
    merge: bool = False,
) -> None:
    text = normalize(word)
    if not text:
        return
    listed = phrases.setdefault(text, [])
    if replace:
        listed[:] = [term]
        return
    for i, old in enumerate(listed):
        if old.kind == term.kind and old.dim == term.dim:
            names = tuple(dict.fromkeys((*old.names, *term.names)))
            listed[i] = Term(old.kind, names, old.dim, old.every or merge)
            return
    listed.append(term)
    if text.endswith(("s", "率")) or has_cjk(text) or term.kind != "dimension":
        return
    _add(phrases, text + "s", term)


# ------------------------------------------------------------------ from the warehouse


def read_rows(
    con: duckdb.DuckDBPyConnection, registry: Registry, scope: Scope = NO_PLANTS
) -> dict[str, list[dict]]:
    """The dimension values of the marts' dim tables that `scope` may see (names from the
    registry, never users; every table read through metrics.scope.scoped_table)."""
    rows: dict[str, list[dict]] = {}
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    for name, dim in registry.dimensions.items():
        if dim.table and dim.table in tables:
            columns = [
                exp.alias_(exp.column(dim.table_key), "key"),
                exp.alias_(exp.column(dim.label_columns["en"]), "en"),
                exp.alias_(exp.column(dim.label_columns["zh"]), "zh"),
                exp.alias_(exp.column(str(dim.label_column("vi"))), "vi"),
            ]
            columns += [
                exp.alias_(exp.column(col), parent) for parent, col in PARENTS.get(name, {}).items()
            ]
            query = (
                exp.select(*columns)
                .distinct()
                .from_(scoped_table(f"marts.{dim.table}", scope))
                .where(exp.column(dim.table_key).is_(exp.null()).not_())
            )
            rows[name] = con.sql(query.sql("duckdb")).pl().to_dicts()
    if "dim_shift" in tables:
        query = (
            exp.select("shift_code")
            .distinct()
            .from_(scoped_table("marts.dim_shift", scope))
            .where("shift_code is not null")
        )
        codes = con.execute(query.sql("duckdb")).fetchall()
        rows["shift"] = [shift_row(code) for (code,) in codes]
    return rows


def shift_row(code: str) -> dict[str, str]:
    return {
        "key": code,
        "en": t("shift_name", "en", code=code),
        "zh": t("shift_name", "zh", code=code),
        "vi": t("shift_name", "vi", code=code),
    }


def database_file(con: duckdb.DuckDBPyConnection) -> Path | None:
    found = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(found[0][0]) if found and found[0][0] else None
