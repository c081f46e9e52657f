"""Name frequency tables for the generator from the ChineseNames database (Bao 2021-2025).

Input: a checkout of https://github.com/psychbruce/ChineseNames (its ``data-csv/`` folder:
``familyname.csv``, ``givenname.csv``, ``top100name.year.csv``, ``population.csv``).  These are
nationwide counts from the National Citizen Identity Information Center (NCIIC), 2008, of the
1.2 billion Han Chinese born 1930-2008.  The package is GPL-3 and its author asks for CC BY-NC-SA
use of the data; we take only factual frequencies, rounded and reduced to what the generator
draws from, and credit the source in each file's header.

Output (``benchmarks/data/``), each a TSV with ``#`` comment lines on top:

- ``surnames.tsv``: surname, compound (0/1), ppm of the population -- the 500 most frequent
  surnames plus every compound surname of 1 ppm or more;
- ``given_chars.tsv``: character, then per birth cohort (1960s, 1970s, 1980s, 1990s, 2000s)
  the estimated share per 100,000 character uses in women's given names, then the same for men.
  The database counts characters per cohort for both sexes together and per sex over all
  cohorts; the women's share of a character, n.female / (n.male + n.female), is assumed the
  same in every cohort;
- ``given_names_female.tsv``: cohort, given name, ppm of the women of that cohort -- the 100
  most frequent women's given names of each cohort;
- ``name_cohorts.tsv``: cohort, first and last birth year, share of single-character given
  names (estimated as 2 - character uses per person, both sexes) and the share of women whose
  given name is one of the cohort's top 100.

Usage: ``python -m benchmarks.data_sources.chinese_names PATH_TO_CHECKOUT [-o benchmarks/data]``.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

SOURCE = "https://github.com/psychbruce/ChineseNames (CRAN package ChineseNames, data-csv/)"
CITATION = "Bao, H. W. S. (2021). ChineseNames: Chinese Name Database 1930-2008. doi:10.32614/CRAN.package.ChineseNames"
COHORTS = (("1960s", "1960_1969", "1960", 1960, 1969), ("1970s", "1970_1979", "1970", 1970, 1979),
           ("1980s", "1980_1989", "1980", 1980, 1989), ("1990s", "1990_1999", "1990", 1990, 1999),
           ("2000s", "2000_2008", "2000", 2000, 2008))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _sig(x: float, digits: int = 3) -> str:
    """x rounded to ``digits`` significant digits, without exponent."""
    if x <= 0:
        return "0"
    places = max(0, digits - 1 - int(math.floor(math.log10(x))))
    return f"{round(x, places):.{places}f}"


def _header(what: str, derived: str) -> list[str]:
    return [f"# {what}", f"# Source: {SOURCE}", f"# Citation: {CITATION}",
            "# Licence of the source: GPL-3 (package) and CC BY-NC-SA (author's terms for the data); this file holds only",
            "#   factual frequencies, rounded and reduced, with this attribution.", f"# Derived: {derived}",
            "# Written by benchmarks/data_sources/chinese_names.py."]


def write_tables(checkout: Path, out: Path, n_surnames: int = 500, n_female: int = 1200, n_male: int = 600) -> None:
    """Write the four tables of the module docstring from ``checkout/data-csv`` into ``out``."""
    data = checkout / "data-csv"
    family = _rows(data / "familyname.csv")
    family.sort(key=lambda r: -int(r["n.1930_2008"]))
    keep = [r for i, r in enumerate(family) if i < n_surnames or (r["compound"] == "1" and float(r["ppm.1930_2008"]) >= 1.0)]
    lines = _header("Chinese surnames by share of the population (ppm = per million), national ranking",
                    f"the {n_surnames} most frequent surnames and every compound surname of 1 ppm or more; ppm rounded to 3 digits")
    lines += ["surname\tcompound\tppm"] + [f"{r['surname']}\t{r['compound']}\t{_sig(float(r['ppm.1930_2008']))}" for r in keep]
    (out / "surnames.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    given = _rows(data / "givenname.csv")
    female_share = {r["character"]: int(r["n.female"]) / max(1, int(r["n.female"]) + int(r["n.male"])) for r in given}
    table: dict[str, dict[str, float]] = {r["character"]: {} for r in given}
    for label, column, *_ in COHORTS:
        for sex, share in (("f", lambda ch: female_share[ch]), ("m", lambda ch: 1.0 - female_share[ch])):
            counts = {r["character"]: int(r[f"n.{column}"]) * share(r["character"]) for r in given}
            total = sum(counts.values())
            for ch, c in counts.items():
                table[ch][f"{sex}_{label}"] = 1e5 * c / total
    by_f = sorted(table, key=lambda ch: -sum(v for k, v in table[ch].items() if k.startswith("f_")))
    by_m = sorted(table, key=lambda ch: -sum(v for k, v in table[ch].items() if k.startswith("m_")))
    chars = sorted(set(by_f[:n_female]) | set(by_m[:n_male]), key=by_f.index)
    columns = [f"{s}_{c[0]}" for s in "fm" for c in COHORTS]
    lines = _header("Given-name characters: share per 100,000 character uses in given names, by sex and birth cohort",
                    "per cohort count x the character's share of women (n.female / (n.male + n.female)), "
                    f"normalised per cohort and sex; the {n_female} most used by women and {n_male} by men; 3 digits")
    lines += ["char\t" + "\t".join(columns)]
    lines += [ch + "\t" + "\t".join(_sig(table[ch][c]) for c in columns) for ch in chars]
    (out / "given_chars.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    population = {r["item"]: int(r["n"]) for r in _rows(data / "population.csv")}
    women_share = population["female"] / (population["female"] + population["male"])
    top = _rows(data / "top100name.year.csv")
    lines = _header("The 100 most frequent women's given names of each birth cohort (ppm of the cohort's women)",
                    "n.f.<cohort> / (cohort population x the database's share of women); 3 digits")
    lines += ["cohort\tgiven\tppm"]
    cohort_rows = []
    for label, column, short, first, last in COHORTS:
        women = population[f"{first}-{last}"] * women_share
        for r in top:
            lines.append(f"{label}\t{r['name.f.' + short]}\t{_sig(1e6 * int(r['n.f.' + short]) / women)}")
        uses = sum(int(r[f"n.{column}"]) for r in given)
        single = min(max(2.0 - uses / population[f"{first}-{last}"], 0.0), 1.0)
        top_share = sum(int(r["n.f." + short]) for r in top) / women
        cohort_rows.append(f"{label}\t{first}\t{last}\t{single:.3f}\t{top_share:.3f}")
    (out / "given_names_female.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = _header("Birth cohorts of the name tables",
                    "single = 2 - character uses per person (both sexes, names of one or two characters assumed); "
                    "top100 = share of the cohort's women whose given name is one of its 100 most frequent")
    lines += ["cohort\tfirst_year\tlast_year\tsingle\ttop100"] + cohort_rows
    (out / "name_cohorts.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkout", type=Path, help="a checkout of psychbruce/ChineseNames")
    ap.add_argument("-o", "--output", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = ap.parse_args(argv)
    write_tables(args.checkout, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
