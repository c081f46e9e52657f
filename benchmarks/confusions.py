"""Which character a clerk types instead of the right one: tables for the generator's name errors.

Every table maps a character to ``(candidates, cumulative weights)``, the weights being how often
each candidate is used in names (:mod:`benchmarks.name_pools`; characters outside the name tables
weigh little, and so does a candidate offered under a reading that is not its usual one), so that
a mistyped 婷 becomes 亭 or 庭 far more often than 霆.

- :func:`homophones`: characters sharing a reading with it -- every reading of each candidate
  (pypinyin, heteronyms on), the typed syllable being the character's first reading;
- :func:`fuzzy_pinyin`: characters whose reading differs from it by one of the input methods'
  fuzzy pairs (z/zh, c/ch, s/sh, l/n, f/h, r/l; an/ang, en/eng, in/ing, ian/iang, uan/uang),
  and which do not share its reading;
- :func:`similar_shapes`: the published-set pairs of ``linkage/data/similar_shapes.tsv``;
- :func:`surname_misreadings`: for a polyphonic surname (单 Shan read Dan, 曾 Zeng read Ceng ...),
  the characters of the wrong reading;
- :func:`traditional_forms`: simplified -> traditional forms, the inverse of
  ``linkage/data/simplified_chars.tsv`` (no zhconv needed).

>>> "丹" in surname_misreadings()["单"][0]
True
>>> "張" in traditional_forms()["张"][0]
True
"""

from __future__ import annotations

import random
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

from benchmarks.name_pools import pools

Table = dict[str, tuple[tuple[str, ...], list[float]]]
LINKAGE_DATA = Path(__file__).resolve().parents[1] / "linkage" / "data"
FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"), ("f", "h"), ("r", "l"))
FUZZY_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))  # covers ian/iang and uan/uang
SURNAME_READINGS = {"单": ("shan", "dan"), "曾": ("zeng", "ceng"), "解": ("xie", "jie"), "仇": ("qiu", "chou"),
                    "区": ("ou", "qu"), "朴": ("piao", "pu"), "查": ("zha", "cha"), "盖": ("ge", "gai"),
                    "乐": ("yue", "le"), "缪": ("miao", "mou"), "覃": ("qin", "tan"), "翟": ("zhai", "di"),
                    "尉": ("yu", "wei"), "召": ("shao", "zhao"), "种": ("chong", "zhong"), "繁": ("po", "fan")}
"""Polyphonic surnames: (the surname's reading, the reading a clerk wrongly gives it)."""
_OUTSIDE_WEIGHT = 0.05  # weight of a GB 2312 character that is not in the name tables
_RARE_READING = 0.05  # weight factor of a candidate offered under a reading that is not its usual one


def _cumulative(items: dict[str, float]) -> tuple[tuple[str, ...], list[float]]:
    keys = tuple(sorted(items, key=lambda k: -items[k]))
    return keys, list(accumulate(items[k] for k in keys))


@lru_cache(maxsize=1)
def char_weights() -> dict[str, float]:
    """Character -> weight: use in given names and surnames (per 100,000), GB 2312 characters at least a little."""
    t = pools()
    weight = {str(c): float(w) for c, w in zip(t.chars, t.char_weight)}
    for s, p in zip(t.surnames, t.surname_p):
        if len(s) == 1:
            weight[s] = weight.get(s, 0.0) + 1e5 * float(p)
    for ch in _gb2312():
        weight.setdefault(ch, _OUTSIDE_WEIGHT)
    return weight


def _gb2312() -> list[str]:
    out = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                out.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


@lru_cache(maxsize=1)
def readings() -> dict[str, tuple[str, ...]]:
    """Character -> every toneless reading (first = the usual one), over :func:`char_weights`."""
    chars = list(char_weights())
    every = pinyin(chars, style=Style.NORMAL, heteronym=True, errors=lambda s: [[""] for _ in s])
    return {c: tuple(dict.fromkeys(r for r in rs if r)) for c, rs in zip(chars, every)}


@lru_cache(maxsize=1)
def _by_reading() -> dict[str, dict[str, float]]:
    weight, out = char_weights(), {}
    for ch, rs in readings().items():
        for i, r in enumerate(rs):
            out.setdefault(r, {})[ch] = weight[ch] * (1.0 if i == 0 else _RARE_READING)
    return out


def main_reading(ch: str) -> str:
    """The reading a clerk types for ``ch`` (a surname's own reading for the polyphonic surnames)."""
    return SURNAME_READINGS[ch][0] if ch in SURNAME_READINGS else lazy_pinyin(ch)[0]


def fuzzy_variants(syllable: str) -> list[str]:
    """Syllables one fuzzy pair away from ``syllable`` (possibly not real syllables).

    >>> sorted(fuzzy_variants("zhang"))
    ['zang', 'zhan']
    >>> sorted(fuzzy_variants("lin"))
    ['ling', 'nin', 'rin']
    """
    out = []
    for a, b in FUZZY_INITIALS:
        for x, y in ((a, b), (b, a)):
            if syllable.startswith(x) and not (x in ("z", "c", "s") and syllable[1:2] == "h"):
                out.append(y + syllable[len(x):])
    for long, short in FUZZY_FINALS:
        if syllable.endswith(long):
            out.append(syllable[:-len(long)] + short)
        elif syllable.endswith(short):
            out.append(syllable[:-len(short)] + long)
    return [s for s in dict.fromkeys(out) if s != syllable]


@lru_cache(maxsize=1)
def homophones() -> Table:
    """Character -> other characters having its usual reading among theirs."""
    by, out = _by_reading(), {}
    for ch in readings():
        cands = {c: w for c, w in by.get(main_reading(ch), {}).items() if c != ch}
        if cands:
            out[ch] = _cumulative(cands)
    return out


@lru_cache(maxsize=1)
def fuzzy_pinyin() -> Table:
    """Character -> characters one fuzzy-pinyin pair away that do not share its usual reading."""
    by, out = _by_reading(), {}
    for ch in readings():
        s = main_reading(ch)
        cands = {}
        for v in fuzzy_variants(s):
            cands.update({c: w for c, w in by.get(v, {}).items() if c != ch and s not in readings().get(c, ())})
        if cands:
            out[ch] = _cumulative(cands)
    return out


@lru_cache(maxsize=1)
def similar_shapes() -> Table:
    """Character -> its similar-shape partners of linkage/data/similar_shapes.tsv, by similarity x name use."""
    weight, pairs = char_weights(), {}
    for line in (LINKAGE_DATA / "similar_shapes.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            a, b, s = line.split("\t")
            for x, y in ((a, b), (b, a)):
                pairs.setdefault(x, {})[y] = float(s) * weight.get(y, _OUTSIDE_WEIGHT)
    return {ch: _cumulative(c) for ch, c in pairs.items()}


@lru_cache(maxsize=1)
def surname_misreadings() -> Table:
    """Polyphonic surname -> characters of its wrong reading (surnames and name characters first)."""
    by = _by_reading()
    return {s: _cumulative({c: w for c, w in by.get(wrong, {}).items() if c != s})
            for s, (_, wrong) in SURNAME_READINGS.items() if by.get(wrong)}


@lru_cache(maxsize=1)
def traditional_forms() -> Table:
    """Simplified character -> its traditional forms (equal weights), from linkage/data/simplified_chars.tsv."""
    out: dict[str, dict[str, float]] = {}
    for line in (LINKAGE_DATA / "simplified_chars.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            trad, simp = line.split("\t")[:2]
            if len(trad) == len(simp) == 1 and trad != simp and "\u4e00" <= simp <= "\u9fff":
                out.setdefault(simp, {})[trad] = 1.0
    return {s: _cumulative(t) for s, t in out.items()}


def pick(table: Table, ch: str, r: random.Random) -> str:
    """A candidate for ``ch`` drawn by weight (``ch`` itself if it has none)."""
    entry = table.get(ch)
    if entry is None:
        return ch
    return r.choices(entry[0], cum_weights=entry[1])[0]


def to_traditional(name: str, r: random.Random) -> str:
    """Every character of ``name`` with a traditional form written in one of them."""
    table = traditional_forms()
    return "".join(pick(table, ch, r) for ch in name)
