"""The campaign's counts per street beside the summary's, and the campaign's workbooks.

``add_street_counts`` joins tables indexed by 9-digit street code (explained findings, open and
overdue birth clues) onto ``summarize``'s rows as more count columns; the 合计 row sums the street
rows, as for the other counts.  ``write_campaign_workbooks`` writes the Excel copies (Chinese
headers) of the campaign's tables a clerk reads: the key-target check list, the birth clues and
the 延期报告 sheet to fill in.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import write_excel
from .scope import ours

CAMPAIGN_COUNT_COLUMNS = ("explained", "birth_clues", "clues_overdue")
"""Count columns the campaign adds to summary.csv (after the summary's own)."""
HEADERS_ZH = {
    "street_code": "街道代码", "unit_code": "单位代码", "record_id": "记录编号", "name": "姓名", "id_number": "身份证号",
    "category": "类别", "marital_status": "婚姻状况", "contraception": "节育措施", "pregnancy": "现孕情况",
    "household_type": "户别", "hukou_address": "户籍地址", "latest_child_birth": "最近一孩出生日期",
    "findings": "存在问题", "checked": "核查结果", "note": "备注",
    "clue_id": "线索编号", "birth_record_id": "出生信息编号", "source": "来源", "mother_name": "母亲姓名",
    "mother_id_number": "母亲身份证号", "child_birth_date": "子女出生日期", "child_sex": "子女性别",
    "policy": "政策属性", "status": "状态", "open_status": "落实情况", "to_unit_code": "通报单位代码",
    "mother_record_id": "母亲记录编号", "mother_unit_code": "母亲所在单位", "probability": "匹配概率",
    "child_id": "子女编号", "due_date": "期限", "deferred_to": "延期至", "deferral_reason": "延期原因",
    "reason": "说明", "new_date": "延期至", "notice": "通报内容",
}
"""Chinese headers of the campaign's workbooks."""
WORKBOOKS = {"key_targets": ("key_targets.xlsx", "重点管理对象"), "clues": ("clues.xlsx", "违法生育线索"),
             "deferrals": ("deferrals.xlsx", "延期报告")}


def add_street_counts(summary: pd.DataFrame, tables: list[pd.DataFrame], *, district: str | None) -> pd.DataFrame:
    """summary (SUMMARY_COLUMNS, streets then the 合计 row) with each table's columns added.

    tables: frames indexed by street code whose columns are counts; a street only they count
    gets a row of its own (zeros elsewhere); with ``district`` another district's streets add nothing.
    """
    tables = [t for t in tables if len(t.columns)]
    if not tables:
        return summary
    counts = pd.concat(tables, axis=1).fillna(0).astype(np.int64)
    counts = counts[ours(counts.index.to_numpy(dtype=object), district)]
    streets = summary[summary["level"] == "street"].set_index("unit_code")
    total = summary[summary["level"] != "street"]
    new = counts.index.difference(streets.index)
    if len(new):
        filler = pd.DataFrame({"level": "street", "unit_name": [code or "(无街道代码)" for code in new]}, index=new)
        streets = pd.concat([streets, filler])
        streets = streets.sort_index(key=lambda index: index.map(lambda code: (code == "", code)))
    streets = streets.join(counts, how="left")
    streets[counts.columns] = streets[counts.columns].fillna(0)
    number_columns = [c for c in streets.columns if c not in ("level", "unit_name")]
    streets[number_columns] = streets[number_columns].fillna(0).astype(np.int64)
    streets.index.name = "unit_code"
    streets = streets.reset_index()[[*summary.columns, *counts.columns]]
    total = total.copy()
    for column in counts.columns:
        total[column] = int(streets[column].sum())
    return pd.concat([streets, total[streets.columns]], ignore_index=True)


def write_campaign_workbooks(tables: dict[str, pd.DataFrame], folder: str | os.PathLike) -> list[Path]:
    """The .xlsx copy of each campaign table present in ``tables``; returns the paths written."""
    paths = []
    for name, (file_name, sheet) in WORKBOOKS.items():
        if name in tables:
            path = Path(folder) / file_name
            write_excel({sheet: tables[name].rename(columns=HEADERS_ZH)}, path)
            paths.append(path)
    return paths
