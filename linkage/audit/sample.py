"""The inspectors' spot check (抽查评估): a reproducible stratified sample and its error rates.

``draw_sample`` draws up to ``size`` records in management from each street (the stratum,
the first 9 digits of unit_code).  The draw of a street depends only on the seed, the
street code and the record ids held there -- not on the order of the file, nor on the
other streets: ``draw_seed = SeedSequence([seed, int(street)]).generate_state(1)[0]``, the
street's records are sorted by record_id and ``default_rng(draw_seed).permutation`` picks
the first ``size``.  An inspector can redraw one street from sample.csv alone.

``spotcheck`` reads the sample back with the ``correct`` column filled in (是/否, 对/错,
正确/错误, 1/0, yes/no, true/false, √/×) and gives each street's error rate with a 95%
Wilson interval.  The district row is the stratified estimate: streets weighted by their
size (stratum_size), variance with the finite-population correction, and a Wilson
interval at the effective sample size.  Blank cells are unchecked; unreadable ones are
counted apart and left out, never guessed.

>>> lo, hi = wilson_interval(np.array([2]), np.array([50]))
>>> round(float(lo[0]), 4), round(float(hi[0]), 4)
(0.011, 0.1346)
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..io import read_table, write_excel
from ..prepare import Records
from ..codes import street_of
from ..normalize.status import is_inactive
from .scope import ours

SAMPLE_COLUMNS = ["unit_code", "record_id", "stratum", "draw_seed", "stratum_size", "name", "findings", "correct",
                  "note"]
"""sample.csv: SCHEMA's unit_code, record_id, stratum, draw_seed, plus the street's size (for the
district estimate), the name, how many findings the audit raised on the record, and the
blank ``correct`` and ``note`` columns the inspectors fill in."""
SPOTCHECK_COLUMNS = ["level", "stratum", "stratum_size", "sampled", "checked", "errors", "error_rate", "ci_low",
                     "ci_high", "unreadable"]
SPOTCHECK_HEADERS_ZH = {"level": "层级", "stratum": "街道代码", "stratum_size": "在管记录数", "sampled": "抽取数",
                        "checked": "已核查", "errors": "差错数", "error_rate": "差错率", "ci_low": "95%下限",
                        "ci_high": "95%上限", "unreadable": "无法识别的核查结果"}
RATE_COLUMNS = ("error_rate", "ci_low", "ci_high")
"""Proportions, shown as percentages in spotcheck.xlsx."""
Z95 = 1.959963984540054
CORRECT_WORDS = {"是", "对", "正确", "无误", "1", "y", "yes", "true", "t", "ok", "√", "✓", "✔"}
WRONG_WORDS = {"否", "错", "错误", "有误", "不正确", "0", "n", "no", "false", "f", "×", "✗", "✘", "x"}


def write_spotcheck_excel(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """spotcheck.xlsx: the table under Chinese headers, 层级 as 街道 / 合计, rates as percentages
    (16.7%, not 0.166667), laid out for print (``resolve.workbook.fit_sheet``)."""
    from resolve.workbook import fit_sheet

    shown = table.assign(level=table["level"].map({"street": "街道", "district": "合计"}).fillna(table["level"]))
    shown = shown.rename(columns=SPOTCHECK_HEADERS_ZH)
    rates = [k for k, c in enumerate(table.columns, start=1) if c in RATE_COLUMNS]

    def layout(sheet, frame: pd.DataFrame) -> None:
        fit_sheet(sheet, frame, landscape=False)
        for k in rates:
            for row in range(2, len(frame) + 2):
                sheet.cell(row, k).number_format = "0.0%"

    write_excel({"抽查评估": shown}, path, chinese_headers=False, layout=layout)


def street_seed(seed: int, street: str) -> int:
    """The per-street draw seed (see the module docstring)."""
    key = int(street) if street.isdigit() else 0
    return int(np.random.SeedSequence([int(seed), key]).generate_state(1)[0])


def draw_sample(records: Records, *, size: int, seed: int, findings: pd.DataFrame | None = None,
                district: str | None = None) -> pd.DataFrame:
    """Up to ``size`` records in management per street, SAMPLE_COLUMNS, ordered by street and draw.

    records: the register (n rows); findings: findings.csv rows (to count findings per record);
    district: this office's code (only its streets are drawn from).
    """
    if size < 0:
        raise ValueError(f"sample size must be 0 or more, got {size}")
    norm = records.norm
    active = ~is_inactive(norm["status"]) & ours(norm["unit_code"], district)
    frame = pd.DataFrame({"unit_code": norm["unit_code"].astype(str), "record_id": norm["record_id"].astype(str),
                          "name": norm["name"].astype(str)})[active]
    frame["stratum"] = street_of(frame["unit_code"])
    frame = frame.sort_values(["stratum", "record_id"], kind="stable")
    drawn = []
    for stratum, group in frame.groupby("stratum", sort=True):  # one draw per street, not per record
        draw_seed = street_seed(seed, str(stratum))
        order = np.random.default_rng(draw_seed).permutation(len(group))[:size]
        chosen = group.iloc[order].assign(draw_seed=draw_seed, stratum_size=len(group))
        drawn.append(chosen)
    if not drawn or size == 0:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in SAMPLE_COLUMNS})
    sample = pd.concat(drawn, ignore_index=True)
    counts = findings["record_id"].astype(str).value_counts() if findings is not None and len(findings) else None
    sample["findings"] = sample["record_id"].map(counts).fillna(0).astype(int) if counts is not None else 0
    sample["correct"], sample["note"] = "", ""
    return sample[SAMPLE_COLUMNS]


def wilson_interval(errors: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a proportion errors/n, float arrays (k,); NaN where n == 0."""
    errors, n = np.asarray(errors, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = errors / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def read_marks(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(checked, error, unreadable) bool arrays (n,) from the inspectors' ``correct`` column."""
    text = values.fillna("").astype(str).str.strip().str.lower()
    correct, wrong = text.isin(CORRECT_WORDS).to_numpy(), text.isin(WRONG_WORDS).to_numpy()
    unreadable = (text != "").to_numpy() & ~correct & ~wrong
    return correct | wrong, wrong, unreadable


def spotcheck(sample: pd.DataFrame | str | os.PathLike) -> pd.DataFrame:
    """Error rate per street and for the district (SPOTCHECK_COLUMNS) from a marked sample.

    sample: sample.csv (path or frame) with ``correct`` filled in; ``是否正确`` is read as correct.
    """
    frame = read_table(sample) if not isinstance(sample, pd.DataFrame) else sample.copy()
    frame = frame.rename(columns={"是否正确": "correct", "抽样层": "stratum", "管理单位代码": "unit_code"})
    if "correct" not in frame.columns:
        raise SchemaError("spot-check sample: no 'correct' (是否正确) column; fill it in with 是/否 for each record",
                          path=str(sample) if not isinstance(sample, pd.DataFrame) else "<frame>", column="correct")
    if "stratum" not in frame.columns or (frame["stratum"].astype(str) == "").all():
        if "unit_code" not in frame.columns:
            raise SchemaError("spot-check sample: needs a 'stratum' or 'unit_code' column", column="stratum")
        frame["stratum"] = street_of(frame["unit_code"])
    checked, error, unreadable = read_marks(frame["correct"])
    size = pd.to_numeric(frame.get("stratum_size", pd.Series(np.nan, index=frame.index)), errors="coerce")
    marks = pd.DataFrame({"stratum": frame["stratum"].astype(str), "checked": checked, "errors": error,
                          "unreadable": unreadable, "stratum_size": size.to_numpy()})
    per = marks.groupby("stratum", sort=True).agg(sampled=("checked", "size"), checked=("checked", "sum"),
                                                  errors=("errors", "sum"), unreadable=("unreadable", "sum"),
                                                  stratum_size=("stratum_size", "max")).reset_index()
    per["level"] = "street"
    per["error_rate"] = np.where(per["checked"] > 0, per["errors"] / per["checked"].where(per["checked"] > 0, 1),
                                 np.nan)
    per["ci_low"], per["ci_high"] = wilson_interval(per["errors"].to_numpy(), per["checked"].to_numpy())
    return pd.concat([per, pd.DataFrame([_district_row(per)])], ignore_index=True)[SPOTCHECK_COLUMNS]


def _district_row(per: pd.DataFrame) -> dict:
    """Stratified estimate over the streets with at least one checked record."""
    used = per[per["checked"] > 0]
    row = {"level": "district", "stratum": "合计", "stratum_size": per["stratum_size"].sum(min_count=1),
           "sampled": int(per["sampled"].sum()), "checked": int(per["checked"].sum()),
           "errors": int(per["errors"].sum()), "unreadable": int(per["unreadable"].sum())}
    if not len(used):
        return {**row, "error_rate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    sizes = used["stratum_size"].to_numpy(dtype=float)
    n, p_h = used["checked"].to_numpy(dtype=float), used["errors"].to_numpy(dtype=float) / used["checked"].to_numpy()
    if np.isnan(sizes).any():  # no stratum sizes: a simple pooled proportion
        low, high = wilson_interval(np.array([row["errors"]]), np.array([row["checked"]]))
        return {**row, "error_rate": row["errors"] / row["checked"], "ci_low": low[0], "ci_high": high[0]}
    weights = sizes / sizes.sum()
    p = float(weights @ p_h)
    fpc = np.clip(1 - n / sizes, 0, 1)
    variance = float(np.sum(weights ** 2 * p_h * (1 - p_h) / np.maximum(n - 1, 1) * fpc))
    n_eff = p * (1 - p) / variance if variance > 0 else float(n.sum())
    low, high = wilson_interval(np.array([p * n_eff]), np.array([n_eff]))
    return {**row, "error_rate": p, "ci_low": low[0], "ci_high": high[0]}
