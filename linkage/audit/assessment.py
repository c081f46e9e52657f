"""Acceptance and assessment (抽查验收, 考核): a score and rank per street.

Three parts, each a share in [0, 1] where 1 is best, weighted by ``AssessmentWeights`` (plain
data: a JSON file such as ``{"spot_check": 0.5, "fixed": 0.3, "clues": 0.2}``):

- spot_check: 1 - the street's error rate in the marked March sample (``spotcheck``);
- fixed: the share of the earlier findings fixed (followup_summary's fixed_share; 1 with none);
- clues: 1 - the share of the street's birth clues that are overdue (1 with none).

score = 100 x the weighted mean of the parts known for the street (a part with no data -- no
sample marked, no clues file -- is left out and the weights of the others rescaled; ``parts``
says which were used); rank 1 is the best score, ties share a rank.

>>> w = AssessmentWeights.from_dict({"spot_check": 2, "fixed": 1, "clues": 1})
>>> table = score_streets(pd.DataFrame({"level": ["street", "street"], "unit_code": ["330106001", "330106002"],
...     "fixed_share": [1.0, 0.5]}), pd.DataFrame({"level": ["street", "street"], "stratum": ["330106001", "330106002"],
...     "error_rate": [0.0, 0.1]}), None, weights=w)
>>> table[["unit_code", "score", "rank"]].values.tolist()
[['330106001', 100.0, 1], ['330106002', 76.67, 2]]
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..io import read_json_object, write_excel

SCORE_COLUMNS = ["unit_code", "spot_check_error_rate", "fixed_share", "clues", "clues_overdue", "spot_check_part",
                 "fixed_part", "clues_part", "parts", "score", "rank"]
SCORE_HEADERS_ZH = {"unit_code": "街道代码", "spot_check_error_rate": "抽查差错率", "fixed_share": "整改率",
                    "clues": "违法生育线索", "clues_overdue": "逾期线索", "spot_check_part": "抽查得分",
                    "fixed_part": "整改得分", "clues_part": "线索得分", "parts": "计分项目", "score": "考核得分",
                    "rank": "排名", "level": "层级", "findings_before": "前次问题数", "fixed": "已整改",
                    "open": "未整改", "new": "新增", "explained": "已说明", "notices_done": "通报已办理",
                    "notices_open": "通报未办理", "duplicates_left": "区内仍重复", "duplicates_left_city": "市内仍重复"}


@dataclass(frozen=True)
class AssessmentWeights:
    """The weight of each part of the score (any non-negative numbers; they are normalised)."""

    spot_check: float = 0.5
    fixed: float = 0.3
    clues: float = 0.2

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AssessmentWeights":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"考核权重文件含未知项 {unknown}(可用 {sorted(known)}); assessment weights: unknown key(s)")
        values = {}
        for key, value in data.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"考核权重 {key!r} 应为非负数,而非 {value!r}; weight {key!r} must be a number >= 0")
            values[key] = float(value)
        weights = cls(**values)
        if sum(weights.to_dict().values()) <= 0:
            raise ConfigError("考核权重全为0; at least one assessment weight must be above 0")
        return weights

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "AssessmentWeights":
        if path is None:
            return cls()
        return cls.from_dict(read_json_object(path, "考核权重(assessment weights)"))


def score_streets(summary: pd.DataFrame, spot: pd.DataFrame | None, clues: pd.DataFrame | None, *,
                  weights: AssessmentWeights | None = None) -> pd.DataFrame:
    """SCORE_COLUMNS per street, best first.

    summary: followup_summary (level, unit_code, fixed_share); spot: ``spotcheck`` output
    (level, stratum, error_rate) or None; clues: clues.csv (street_code, status) or None.
    """
    weights = weights or AssessmentWeights()
    streets = summary[summary["level"] == "street"].set_index("unit_code")
    index = streets.index
    if spot is not None and len(spot):
        spot_streets = spot[spot["level"] == "street"].set_index(spot["stratum"].astype(str)
                                                                 [spot["level"] == "street"])
        index = index.union(spot_streets.index)
        error_rate = pd.to_numeric(spot_streets["error_rate"], errors="coerce").reindex(index)
    else:
        error_rate = pd.Series(np.nan, index=index)
    fixed_share = pd.to_numeric(streets["fixed_share"], errors="coerce").reindex(index)
    if clues is not None and len(clues):
        street = clues["street_code"].astype(str)
        assigned = clues["status"].isin(("本单位待上报", "待核实", "逾期", "已上报")) & (street != "")
        n_clues = assigned.groupby(street).sum().reindex(index).fillna(0)
        n_overdue = (clues["status"] == "逾期").groupby(street).sum().reindex(index).fillna(0)
        clue_part = 1 - n_overdue / n_clues.where(n_clues > 0, 1)
    else:
        n_clues = n_overdue = pd.Series(0, index=index)
        clue_part = pd.Series(np.nan, index=index)
    parts = pd.DataFrame({"spot_check": 1 - error_rate,
                          "fixed": fixed_share.fillna(1.0),
                          "clues": clue_part}, index=index)
    w = pd.Series(weights.to_dict())
    known = parts.notna()
    used = known.mul(w, axis=1)
    score = (parts.fillna(0).mul(w, axis=1).sum(axis=1) / used.sum(axis=1).where(used.sum(axis=1) > 0)) * 100
    names = {"spot_check": "抽查", "fixed": "整改", "clues": "线索"}
    parts_used = known.apply(lambda row: "、".join(names[k] for k, v in row.items() if v and w[k] > 0), axis=1)
    out = pd.DataFrame({"unit_code": index, "spot_check_error_rate": error_rate.to_numpy(),
                        "fixed_share": fixed_share.to_numpy(), "clues": n_clues.astype(int).to_numpy(),
                        "clues_overdue": n_overdue.astype(int).to_numpy(),
                        "spot_check_part": parts["spot_check"].to_numpy(), "fixed_part": parts["fixed"].to_numpy(),
                        "clues_part": parts["clues"].to_numpy(), "parts": parts_used.to_numpy(dtype=object),
                        "score": score.round(2).to_numpy()})
    out = out[out["unit_code"] != ""]
    out["rank"] = out["score"].rank(ascending=False, method="min").astype("Int64")
    return out.sort_values(["rank", "unit_code"], kind="stable").reset_index(drop=True)[SCORE_COLUMNS]


def write_followup_excel(summary: pd.DataFrame, scores: pd.DataFrame | None, path: str | os.PathLike) -> None:
    """followup_summary.xlsx: the follow-up per street (整改情况) and, when assessed, the ranking
    (考核排名) with a bar chart of the scores."""
    from openpyxl import load_workbook  # start-up: only this writer needs openpyxl
    from openpyxl.chart import BarChart, Reference

    sheets = {"整改情况": summary.rename(columns=SCORE_HEADERS_ZH)}
    if scores is not None:
        sheets["考核排名"] = scores.rename(columns=SCORE_HEADERS_ZH)
    write_excel(sheets, path)
    if scores is None or not len(scores):
        return
    book = load_workbook(path)
    sheet = book["考核排名"]
    chart = BarChart()
    chart.type, chart.title, chart.y_axis.title, chart.x_axis.title = "bar", "各街道考核得分", "得分", "街道"
    score_col = SCORE_COLUMNS.index("score") + 1
    chart.add_data(Reference(sheet, min_col=score_col, min_row=1, max_row=len(scores) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(scores) + 1))
    chart.width, chart.height = 16, max(7, len(scores) * 0.8)
    sheet.add_chart(chart, f"A{len(scores) + 3}")
    book.save(path)
