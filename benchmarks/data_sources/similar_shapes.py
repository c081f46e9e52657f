"""Similar-shape (形近字) pairs derived from the CJK Decomposition Data, for linkage/data/similar_shapes.tsv.

Input: ``cjk-decomp.txt`` of the CJK Decomposition Data project (Gavin Grover; mirrored at
https://github.com/amake/cjk-decomp), offered under a choice of six licences of which we take the
Apache License 2.0 that the mirror ships.  Each line is ``char:config(component,...)``; components decompose in turn down to the
36 CJK strokes, so the size of a character (its stroke count, approximately) can be computed.
Optionally the ChineseNames ``data-csv`` folder (see :mod:`benchmarks.data_sources.chinese_names`)
adds the characters of names outside GB 2312.

Derivation.  ``size(x)``: strokes of x (repeats counted).  ``common(a, b)``: a == b -> size(a);
one a modified form of the other (``m*`` configs: 己/已) -> 0.9 size; a being a whole component
of b (婷/亭, 玉/王) -> size(a); same configuration class (first letter: across, down, within,
surround...) and arity -> the sum of ``common`` of the components position by position (晴/睛/情:
a(日|目|忄, 青)); the same components in another arrangement (未/末) -> the sum as well.  The
similarity of two characters is ``common / max(size)``; a pair is kept when it is at least
``--threshold`` (0.6) and the sizes differ by at most 3 strokes.  Sources and partners are the
GB 2312 characters (6,763, the common ones) and the characters of names; each character keeps its
``--per-char`` (8) most similar partners.

Usage: ``python -m benchmarks.data_sources.similar_shapes cjk-decomp.txt [--names DATA_CSV_DIR] [-o FILE]``.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from functools import lru_cache
from pathlib import Path

SOURCE = "https://github.com/amake/cjk-decomp (CJK Decomposition Data, Gavin Grover, cjkdecomp.codeplex.com)"
_LINE = re.compile(r"^([^:]+):([a-z0-9/]+)\((.*)\)$")
_STROKES = {chr(c) for c in range(0x31C0, 0x31E4)}
_REPEATS = {"ra": 2, "rd": 2, "rrefl": 2, "rrefr": 2, "rrefd": 2, "rrotr": 2, "r3a": 3, "r3d": 3, "r3tr": 3,
            "r4sq": 4, "r3st": 3, "rst": 2, "r5": 5}


def read_decompositions(path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """char or intermediate id -> (config, components)."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line.strip())
        if m:
            parts = tuple(p for p in m.group(3).split(",") if p)
            table[m.group(1)] = (m.group(2), parts)
    return table


def gb2312_chars() -> list[str]:
    """The 6,763 hanzi of GB 2312 (rows 16-87)."""
    out = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                ch = bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if "\u4e00" <= ch <= "\u9fff":
                out.append(ch)
    return out


def name_chars(data_csv: Path) -> list[str]:
    """Given-name characters and single-character surnames of the ChineseNames tables."""
    chars = []
    for file, column in (("givenname.csv", "character"), ("familyname.csv", "surname")):
        with open(data_csv / file, encoding="utf-8-sig", newline="") as f:
            chars += [c for r in csv.DictReader(f) for c in r[column]]
    return chars


class Shapes:
    """Sizes and pairwise common stroke mass over the decomposition table."""

    def __init__(self, table: dict[str, tuple[str, tuple[str, ...]]]):
        self.table = table
        self.size = lru_cache(maxsize=None)(self._size)
        self.common = lru_cache(maxsize=None)(self._common)

    def _size(self, x: str) -> int:
        if x in _STROKES or x not in self.table:
            return 1
        config, parts = self.table[x]
        if not parts:
            return 1
        base = config.split("/")[0]
        if base.startswith("r"):
            return _REPEATS.get(base, 1) * sum(self.size(p) for p in parts)
        return sum(self.size(p) for p in parts)

    def _common(self, a: str, b: str) -> float:
        if a == b:
            return float(self.size(a))
        ca, pa = self.table.get(a, ("c", ()))
        cb, pb = self.table.get(b, ("c", ()))
        best = 0.0
        if ca.startswith("m") and pa == (b,) or cb.startswith("m") and pb == (a,):
            best = 0.9 * min(self.size(a), self.size(b))
        if b in pa:
            best = max(best, float(self.size(b)))
        if a in pb:
            best = max(best, float(self.size(a)))
        if pa and pb and len(pa) == len(pb) and not ca.startswith(("m", "r")) and not cb.startswith(("m", "r")):
            if ca[0] == cb[0]:
                best = max(best, sum(self.common(x, y) for x, y in zip(pa, pb)))
        if pa and pb and not ca.startswith(("m", "r")) and not cb.startswith(("m", "r")):
            rest = list(pb)  # the same components in any arrangement (未/末, 暇/遐)
            shared = 0.0
            for x in pa:
                if x in rest:
                    rest.remove(x)
                    shared += self.size(x)
            best = max(best, shared)
        return best

    def similarity(self, a: str, b: str) -> float:
        return self.common(a, b) / max(self.size(a), self.size(b))


def similar_pairs(table: dict[str, tuple[str, tuple[str, ...]]], chars: list[str], threshold: float = 0.6,
                  per_char: int = 8, max_gap: int = 3) -> list[tuple[str, str, float]]:
    """Pairs (a, b, similarity) with a < b, each character keeping its ``per_char`` best partners."""
    shapes = Shapes(table)
    chars = [c for c in dict.fromkeys(chars) if c in table]
    rank = {c: i for i, c in enumerate(chars)}
    # candidates share a top-level component or are a component of one another
    by_part: dict[str, set[str]] = {}
    for c in chars:
        for p in table[c][1]:
            by_part.setdefault(p, set()).add(c)
        by_part.setdefault(c, set()).add(c)
    best: dict[str, list[tuple[float, str]]] = {}
    for a in chars:
        cands = set(by_part.get(a, ()))
        for p in table[a][1]:
            cands |= by_part.get(p, set())
            if p in rank:
                cands.add(p)
        scored = []
        for b in cands - {a}:
            if abs(shapes.size(a) - shapes.size(b)) > max_gap:
                continue
            s = shapes.similarity(a, b)
            if s >= threshold:
                scored.append((s, b))
        scored.sort(key=lambda t: (-t[0], rank[t[1]]))
        best[a] = scored[:per_char]
    pairs = {}
    for a, partners in best.items():
        for s, b in partners:
            key = (a, b) if a < b else (b, a)
            pairs[key] = max(pairs.get(key, 0.0), s)
    return sorted((a, b, round(s, 2)) for (a, b), s in pairs.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("decomp", type=Path, help="cjk-decomp.txt")
    ap.add_argument("--names", type=Path, help="ChineseNames data-csv folder (adds name characters outside GB 2312)")
    ap.add_argument("--threshold", type=float, default=0.6)
    ap.add_argument("--per-char", type=int, default=8)
    ap.add_argument("-o", "--output", type=Path,
                    default=Path(__file__).resolve().parents[2] / "linkage" / "data" / "similar_shapes.tsv")
    args = ap.parse_args(argv)
    table = read_decompositions(args.decomp)
    chars = gb2312_chars() + (name_chars(args.names) if args.names else [])
    pairs = similar_pairs(table, chars, args.threshold, args.per_char)
    covered = {c for a, b, _ in pairs for c in (a, b)}
    header = [
        "# 形近字 similar-shape character pairs: char_a <TAB> char_b <TAB> similarity (0-1), a < b by code point.",
        f"# Source: {SOURCE}.",
        "# Licence: Apache License 2.0 (http://www.apache.org/licenses/LICENSE-2.0), one of the six the data is offered",
        "#   under (also LGPL-3.0, CC BY-SA 3.0, MIT, ODC-By 1.0, EPL). Modified: only pairs derived from it are shipped.",
        "# Derived by benchmarks/data_sources/similar_shapes.py: similarity = strokes two characters share in",
        "#   their decomposition trees (same component; one a component or modified form of the other; same",
        "#   arrangement position by position) / strokes of the larger; kept at >= "
        f"{args.threshold}, sizes within 3 strokes, each character's {args.per_char} best partners,",
        f"#   over GB 2312 and the characters of names{' (ChineseNames)' if args.names else ''}. "
        f"{len(pairs)} pairs over {len(covered)} characters.",
    ]
    args.output.write_text("\n".join(header + [f"{a}\t{b}\t{s:.2f}" for a, b, s in pairs]) + "\n", encoding="utf-8")
    print(f"{len(pairs)} pairs over {len(covered)} characters -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
