"""Chinese names: cleaning, traditional -> simplified, surname split, pinyin with every reading.

All tables are built once per distinct character (a register of a million women has a
few thousand), then names are mapped through them.

>>> clean_name(" 王  麗華 ")
'王丽华'
>>> clean_name("阿依古丽•买买提")
'阿依古丽·买买提'
>>> split_surname("欧阳娜娜"), split_surname("王芳"), split_surname("阿依古丽·买买提")
(('欧阳', '娜娜'), ('王', '芳'), ('', '阿依古丽·买买提'))
>>> name_pinyin("曾乐")
'cengle'
>>> sorted(pinyin_variants("曾乐"))
['cengle', 'cengyue', 'zengle', 'zengyue']
>>> similar_shaped("己", "已"), similar_shaped("王", "李")
(True, False)
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from .distinct import distinct_values, text_series

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 独孤 "
    "南宫 西门 万俟 闻人 端木 赫连 澹台 百里 呼延 东郭 公冶 太史 申屠 第五 拓跋 完颜 "
    "单于 濮阳 淳于 仲孙 叱干 羊舌 微生 梁丘 左丘 谷梁 段干 子车 巫马 公西".split()
)
"""Two-character surnames (复姓); every other Han name has a one-character surname."""

MIDDLE_DOTS = "·•‧・．.。∙⋅･"
_DOT_RE = "[" + re.escape(MIDDLE_DOTS) + "]+"
_DROP_RE = r"[\s\u200b\u200c\u200d\ufeff\"'`,，、()（）\[\]【】0-9]+"


SIMPLIFIED_TABLE = "data/simplified_chars.tsv"
"""Traditional -> simplified, one character to one, as zhconv converts a character alone for
mainland use (zh-cn); shipped as data because importing zhconv takes ~0.4 s a run.
``write_simplified_table()`` regenerates it; a test checks it against zhconv."""


@lru_cache(maxsize=1)
def _simplified_table() -> dict[str, str]:
    text = resources.files("linkage").joinpath(SIMPLIFIED_TABLE).read_text(encoding="utf-8")
    return dict(line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))


def simplified_table_from_zhconv() -> dict[str, str]:
    """Every character zhconv changes when it converts that character alone to zh-cn, to its
    one-character result (a character that converts to several is left as it is)."""
    import zhconv  # an optional dependency (test extra): only to rebuild the shipped table

    table = {}
    for char in sorted({c for key in zhconv.zhconv.getdict("zh-cn") for c in key}):
        converted = zhconv.convert(char, "zh-cn")
        if converted != char and len(converted) == 1:
            table[char] = converted
    return table


def write_simplified_table() -> None:
    """Rewrite the shipped table from the installed zhconv."""
    path = Path(__file__).resolve().parents[1] / SIMPLIFIED_TABLE
    lines = [f"# traditional -> simplified (zh-cn), one character each; from zhconv {version('zhconv')} "
             "by linkage.normalize.names.write_simplified_table()"]
    lines += [f"{a}\t{b}" for a, b in simplified_table_from_zhconv().items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def clean_name(raw: object) -> str:
    """Canonical form of a name: NFKC, no spaces or digits, one kind of middle dot, simplified."""
    return clean_names(pd.Series([raw], dtype=object)).iloc[0]


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name); minority names with a middle dot have no surname."""
    if not name or "·" in name or not _is_han(name[0]):
        return "", name
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


@lru_cache(maxsize=1)
def _pinyin_dict() -> dict[int, str]:
    """pypinyin's character table (code point -> marked readings), read from its JSON file
    without importing the package (whose import loads the phrase tables: ~0.2 s)."""
    spec = importlib.util.find_spec("pypinyin")
    path = Path(spec.submodule_search_locations[0], "pinyin_dict.json") if spec and spec.submodule_search_locations else None
    if path is None or not path.is_file():
        from pypinyin.pinyin_dict import pinyin_dict  # only where the package has no JSON table

        return pinyin_dict
    return {int(code): marked for code, marked in json.loads(path.read_text(encoding="utf-8")).items()}


@lru_cache(maxsize=65536)
def char_readings(char: str) -> tuple[str, ...]:
    """Every toneless pinyin reading of a character (the character itself, lower-cased, if none).

    Read from pypinyin's single-character table (every reading, ü written v); its phrase
    tables, which take most of a second to load, are not needed for names.
    """
    if not _is_han(char):
        return (char.lower(),) if char != "·" else ("",)
    readings = []
    for marked in _pinyin_dict().get(ord(char), "").split(","):
        plain = unicodedata.normalize("NFD", marked).replace("u\u0308", "v")
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        if plain and plain not in readings:
            readings.append(plain)
    return tuple(readings) or (char,)


def name_pinyin(name: str) -> str:
    """The first reading of every character, joined: '曾乐' -> 'cengle'."""
    return "".join(char_readings(char)[0] for char in name)


def first_readings(names: list[str]) -> dict[int, str]:
    """``str.translate`` table: every character of ``names`` to its first reading."""
    return {ord(char): char_readings(char)[0] for char in set("".join(names))}


def names_pinyin(names: list[str]) -> list[str]:
    """``name_pinyin`` of many names (one table lookup per character): list of len(names)."""
    table = first_readings(names)
    return [name.translate(table) for name in names]


def pinyin_variants(name: str, cap: int = 8) -> list[str]:
    """Every combination of readings of a polyphonic name, at most ``cap`` of them."""
    options = [char_readings(char) for char in name]
    return ["".join(combo) for combo in itertools.islice(itertools.product(*options), cap)]


def pinyin_variants_of(names: list[str], cap: int = 8) -> list[list[str]]:
    """``pinyin_variants`` of many names (one readings lookup per distinct character): list of len(names)."""
    readings = {char: char_readings(char) for char in set("".join(names))}
    product, islice, join = itertools.product, itertools.islice, "".join
    return [[join(combo) for combo in islice(product(*map(readings.__getitem__, name)), cap)] for name in names]


def homophone_chars(a: str, b: str) -> bool:
    """Two characters share a reading."""
    return bool(set(char_readings(a)) & set(char_readings(b)))


FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("r", "l"), ("h", "f"))
"""Initials an input method's fuzzy pinyin (模糊音) takes as one (z/zh, c/ch, s/sh, l/n, l/r, f/h):
what a clerk of a dialect that does not tell them apart types."""
FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))
"""Finals taken as one (an/ang, en/eng, in/ing, ian/iang, uan/uang)."""


def fuzzy_syllable(syllable: str) -> str:
    """A toneless syllable with the fuzzy pairs folded: 'zhang' -> 'zan', 'ning' -> 'lin', 'hu' -> 'fu'.

    >>> fuzzy_syllable("zhang"), fuzzy_syllable("ning"), fuzzy_syllable("huang"), fuzzy_syllable("a")
    ('zan', 'lin', 'fuan', 'a')
    """
    for long, short in FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long):]
            break
    for long, short in FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


@lru_cache(maxsize=65536)
def char_fuzzy_readings(char: str) -> tuple[str, ...]:
    """Every reading of a character with the fuzzy pairs folded (``fuzzy_syllable``)."""
    return tuple(dict.fromkeys(fuzzy_syllable(reading) for reading in char_readings(char)))


SHAPE_FILES = ("data/similar_chars.txt", "data/similar_shapes.tsv")
"""形近字 sources: our hand list, and the published confusion set (see its header) where shipped.
Every line is a group: any two Han characters on it count as similar-shaped."""


@lru_cache(maxsize=1)
def similar_groups() -> dict[str, frozenset[str]]:
    """Character -> the characters clerks confuse with it by shape (形近字), itself included."""
    groups: dict[str, set[str]] = {}
    for name in SHAPE_FILES:
        resource = resources.files("linkage").joinpath(name)
        if not resource.is_file():
            continue
        for line in resource.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            chars = {char for char in line if _is_han(char)}
            for char in chars:
                groups.setdefault(char, set()).update(chars)
    return {char: frozenset(group) for char, group in groups.items()}


def similar_shaped(a: str, b: str) -> bool:
    """Two different characters that clerks confuse by shape (形近字)."""
    return a != b and b in similar_groups().get(a, ())


def clean_names(values: pd.Series) -> pd.Series:
    """Vectorised ``clean_name`` over a Series of raw values (traditional forms mapped through a
    translation table built from the characters present)."""
    drop, dot = re.compile(_DROP_RE), re.compile(_DOT_RE)
    texts = [dot.sub("·", drop.sub("", text)).strip("·") for text in text_series(values).to_numpy(dtype=object)]
    chars = set("".join(texts))
    simplified = _simplified_table()
    table = {ord(c): simplified[c] for c in chars if c in simplified}
    if table:
        texts = [text.translate(table) for text in texts]
    return pd.Series(texts, index=values.index, dtype=object)


def split_surnames(names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``split_surname``: (surnames, given names)."""
    first, two = names.str.slice(0, 1), names.str.slice(0, 2)
    compound = two.isin(COMPOUND_SURNAMES) & (names.str.len() > 2)
    han = first.str.contains(r"[\u3400-\u4dbf\u4e00-\u9fff]", regex=True) & ~names.str.contains("·", regex=False)
    surname = first.where(~compound, two).where(han, "")
    length = surname.str.len()
    given = names.where(length == 0, names.str.slice(1).where(length == 1, names.str.slice(2)))
    return surname, given


def normalize_names(values: pd.Series | list) -> pd.DataFrame:
    """Clean a column of names once per distinct value.

    Returns a frame of shape (n, 4): name, surname, given, pinyin (first readings).
    """
    codes, distinct = distinct_values(values)
    cleaned = clean_names(distinct)
    names = cleaned.tolist()
    parts = [split_surname(name) for name in names]  # the scalar form: one pass, same split
    table = pd.DataFrame({
        "name": cleaned.to_numpy(dtype=object),
        "surname": np.array([part[0] for part in parts], dtype=object),
        "given": np.array([part[1] for part in parts], dtype=object),
        "pinyin": np.array(names_pinyin(names), dtype=object),
    })
    return table.iloc[codes].reset_index(drop=True)
