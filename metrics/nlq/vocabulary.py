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
from collections import Counter
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
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
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
    cjk: dict[int, list[str]] = field(default_factory=dict)  # Chinese phrases by length
    words: frozenset[str] = frozenset()  # Latin words that are no typos (see build)

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
        _add_descriptions(phrases, values, registry)
        merged = {p: tuple(ts) for p, ts in phrases.items()}
        fuzzy: dict[int, list[str]] = {}
        for phrase, terms in merged.items():
            if has_cjk(phrase) or len(phrase) < 4 or any(ch.isdigit() for ch in phrase):
                continue
            if all(t.kind == "value" and phrase == t.names[0].lower() for t in terms):
                continue
            fuzzy.setdefault(phrase.count(" ") + 1, []).append(phrase)
        cjk: dict[int, list[str]] = {}
        for phrase in merged:
            if len(phrase) >= 3 and all(_CJK_CHAR.match(ch) for ch in phrase):
                cjk.setdefault(len(phrase), []).append(phrase)
        # a word of a value's name, or one that recurs in several names ('plan' of plan
        # attainment, plan qty...), is a word, not a typo of a shorter name ('plant')
        latin = [(p, terms) for p, terms in merged.items() if not has_cjk(p)]
        recurring = Counter(w for p, _ in latin if " " in p for w in set(p.split()))
        words = frozenset(
            w for p, terms in latin if all(t.kind == "value" for t in terms) for w in p.split()
        ) | {w for w, n in recurring.items() if n >= 2}
        return cls(registry, merged, values, fuzzy, max(map(len, merged)), cjk, words)

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


def _add_descriptions(
    phrases: dict[str, list[Term]], values: dict[str, dict[str, Value]], registry: Registry
) -> None:
    """Words people use for values instead of their names (see `descriptions`). A word
    naming several values stands for all of them ('assembly line': every plant's assembly
    line, narrowed by a plant named beside it); a short name must be one value's only; and
    no description shadows a word the vocabulary already has."""
    for dim in values:
        found: dict[str, set[str]] = {}
        unique: set[str] = set()
        for value in values[dim].values():
            kinds, shorts = descriptions(dim, value, values, registry)
            for word in kinds | shorts:
                text = normalize(word)
                if len(text) >= 2:
                    found.setdefault(text, set()).add(value.key)
                    if word in shorts:
                        unique.add(text)
        for text, keys in found.items():
            if text in phrases or (text in unique and len(keys) > 1):
                continue
            phrases[text] = [Term("value", tuple(sorted(keys)), dim=dim)]


_TRAILING_NUMBER = re.compile(r"\s*[0-9]+$")
_STORE_NOUNS_EN = ("store", "stores", "warehouse", "warehouses")
_STORE_NOUNS_ZH = ("仓", "仓库", "库")
_SIZE = re.compile(r"(?:\s+[0-9][0-9.]*\s*[a-z0-9]*)+$")


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def descriptions(
    dim: str, value: Value, values: Mapping[str, Mapping[str, Value]], registry: Registry
) -> tuple[set[str], set[str]]:
    """(kind words, short names) of a value: how people describe it without its name.

    line       its name without the number, and its code's letters ('assembly line',
               'assy line', '装配线')
    warehouse  its name without the plant, its material type's words with store/warehouse/仓
               ('raw material warehouse', 'fg store', '原料仓')
    equipment  plural, without 'machine', initials ('pick and place', 'printers', 'spi',
               '印刷机')
    product    the description before the family noun ('humidity sensor', '压力传感器'),
               a raw material's name without its size, plural ('copper wire', 'crimp
               terminals')
    defect     plural, and a leading participle or adjective ('tombstoned', 'housing scratches')
    customer / supplier  the name without city and legal form ('bremer', 'texas ev', '芯源')
    """
    en, zh = normalize(value.label_en), normalize(value.label_zh)
    kinds: set[str] = set()
    shorts: set[str] = set()
    if dim == "line":
        code = re.sub(r"[0-9]+$", "", value.key.rsplit("-", 1)[-1]).lower()
        base = _TRAILING_NUMBER.sub("", en)
        if base != en:
            kinds |= {base, _plural(base)}
            tail = base.rsplit(" ", 1)[-1]
            if code and code not in base:
                kinds |= {f"{code} {tail}", f"{code} {_plural(tail)}"}
        kinds.add(_TRAILING_NUMBER.sub("", zh))
    elif dim == "warehouse":
        kinds |= _store_words(value, values, registry)
    elif dim == "equipment":
        base = re.sub(r" machine$", "", en)
        kinds |= {_plural(en), base}
        if " and " in base:
            kinds |= {base.replace(" and ", " n "), base.replace(" and ", " n ") + " machines"}
        if base.endswith("ing"):  # labeling machine: labelers
            kinds |= {base[:-3] + "er", base[:-3] + "ers"}
        words = [w for w in base.split() if w != "and"]
        if len(words) >= 3:
            kinds.add("".join(w[0] for w in words))
        if base == en and len(words) >= 2 and re.search(r"(?:er|or)$", words[-1]):
            kinds |= {words[-1], _plural(words[-1])}
        if has_cjk(zh) and zh.endswith("机") and len(zh) >= 5:
            kinds.add(zh[-3:])
    elif dim == "product":
        kinds |= _product_words(value, values, en, zh)
    elif dim == "defect_code":
        if len(en.split()) <= 3 and " of " not in en and not en.endswith("ed"):
            kinds.add(_plural(en))
        if " or " in en:  # 'wrong or missing label': missing labels, wrong label
            *alternatives, last = en.split(" or ")
            noun = last.rsplit(" ", 1)[-1]
            for part in (*alternatives, last.rsplit(" ", 1)[0]):
                kinds |= {f"{part} {noun}", f"{part} {_plural(noun)}"}
        first, _, rest = en.partition(" ")
        if rest and re.search(r"(?:ed|al|ient)$", first) and len(first) >= 6:
            shorts.add(first)
        if rest and " " not in rest and re.search(r"ed$", rest):
            kinds |= {f"{rest} {first}", f"{rest} {_plural(first)}"}
    elif dim in ("customer", "supplier"):
        shorts |= _short_names(value)
    return kinds, shorts


def _store_words(
    value: Value, values: Mapping[str, Mapping[str, Value]], registry: Registry
) -> set[str]:
    plant = values.get("plant", {}).get(value.parents.get("plant", ""))
    words: set[str] = set()
    for name, nouns in ((value.label_en, _STORE_NOUNS_EN), (value.label_zh, _STORE_NOUNS_ZH)):
        text = normalize(name)
        for prefix in sorted(aliases("plant", plant) if plant else (), key=len, reverse=True):
            if text.startswith(prefix):
                text = text[len(prefix) :].strip()
                break
        base = re.sub(r"\s*(?:store|warehouse|stock|仓库|仓|库)$", "", text)
        if not base or base == text:
            continue
        kind_words = {base}
        material = registry.dimensions.get("material_type")
        for entry in material.values if material else ():
            listed = {normalize(w) for w in (*entry.en, *entry.zh)}
            if base in listed and len(entry.keys) == 1:
                kind_words |= listed | {entry.keys[0].lower()}
        for word in kind_words:
            if has_cjk(base):  # 原料仓, fg仓
                if has_cjk(word) or len(word) <= 3:
                    words |= {f"{word}{n}" for n in nouns}
            elif not has_cjk(word):
                words |= {f"{word} {n}" for n in nouns}
    return words


def _product_words(
    value: Value, values: Mapping[str, Mapping[str, Value]], en: str, zh: str
) -> set[str]:
    words: set[str] = set()
    family = values.get("product_family", {}).get(value.parents.get("product_family", ""))
    if family is not None:
        fam_en, fam_zh = normalize(family.label_en), normalize(family.label_zh)
        code = normalize(re.sub(r"^[a-z]{1,3}-", "", value.key, flags=re.I))
        for name, fam in ((en, fam_en), (zh, fam_zh)):
            rest = name.removeprefix(fam).strip()
            if rest == name or not rest.startswith(code):
                continue
            desc = rest.removeprefix(code).strip()
            if not desc:
                continue
            if has_cjk(fam):
                heads = {fam, fam[:-2]} if fam.endswith(_GENERIC_ZH) else {fam}
                words |= {f"{desc}{h}" for h in heads}
            else:
                heads = {fam, fam.split()[0], fam.split()[-1]}
                words |= {f"{desc} {h}" for h in heads} | {f"{desc} {_plural(h)}" for h in heads}
        return words
    if not has_cjk(en):
        first, _, second = en.partition(" ")
        base = _SIZE.sub("", en).strip()
        if "," in value.label_en:
            head, _, tail = value.label_en.partition(",")
            base = normalize(f"{tail} {head}")
        if base:
            words |= {base, _plural(base)}
    return words


_GENERIC_ZH = ("模块", "组件", "总成")
_CITY_PREFIX = re.compile(r"^[\u3400-\u9fff]{2}")
# What a Chinese company name says it makes, after its own name: '芯源' of 深圳芯源电子.
_TRADE_ZH = (
    "电子",
    "科技",
    "电气",
    "电器",
    "电机",
    "家电",
    "线缆",
    "电路板",
    "连接器",
    "新材料",
    "包装材料",
    "汽车部件",
    "机械",
    "精密",
)


def _short_names(value: Value) -> set[str]:
    words: set[str] = set()
    for name in {value.label_en, value.label_zh}:
        core = _SUFFIXES.sub("", normalize(name))
        if has_cjk(core):
            rest = _CITY_PREFIX.sub("", core)
            if len(rest) >= 3 and rest != core:
                words.add(rest)
                if rest[2:].endswith(_TRADE_ZH) and rest[2:] in _TRADE_ZH:
                    words.add(rest[:2])
            continue
        parts = core.split()
        if len(parts) >= 3:
            words.add(" ".join(parts[:2]))
        elif len(parts) == 2 and len(parts[0]) >= 4:
            words.add(parts[0])
    return words


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
        words.add(_plural(value.label_en))
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
