"""The clean-up summary (清查总结): counts per street and a district total, as CSV and Excel.

A street is the first 9 digits of the holding unit's code (a 12-digit community belongs to
its street).  Each count is attributed to the street that must act on it:

- records / active_records: register records held (all / 在管);
- duplicates: records in a duplicate group (cluster of two or more); notices: notices a unit
  of ours acts on (the street holding the record; for a request to another district, the
  street of ours that manages her and sends the request);
- separated / transfer_out: records on the separation list / with action transfer_out;
- logic_errors / logic_warnings: record findings by severity;
- illegal_birth_issues: findings of the children table (its mother's street);
- missing: unregistered women to enter (the street of her residence, else household).

The district row sums every street row, so the totals add up.  Rows that belong to no
street (a blank unit code, a child whose mother is not in the register, a woman to enter
whose street is unknown) are counted on a row whose unit_code is blank.  With ``district``
only this district's units are counted (``scope.ours``): another district's street gets no
row and adds nothing to the 合计 row.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..codes import region_label, street_of
from ..io import write_excel
from ..normalize.status import is_inactive
from ..prepare import Records
from .calendar import phase_of
from .scope import ours

COUNT_COLUMNS = ["records", "active_records", "duplicates", "notices", "separated", "transfer_out", "logic_errors",
                 "logic_warnings", "illegal_birth_issues", "missing"]
SUMMARY_COLUMNS = ["level", "unit_code", "unit_name", *COUNT_COLUMNS]
SUMMARY_HEADERS_ZH = {
    "level": "层级", "unit_code": "街道代码", "unit_name": "街道名称", "records": "记录数", "active_records": "在管记录数",
    "duplicates": "重复记录", "notices": "注销/迁出通报", "separated": "人户分离", "transfer_out": "应迁出",
    "logic_errors": "逻辑错误", "logic_warnings": "逻辑警告", "illegal_birth_issues": "违法生育上报问题",
    "missing": "漏管育龄妇女", "rule": "规则", "severity": "严重程度", "field": "字段", "message": "说明",
    "count": "条数", "explained": "已说明", "birth_clues": "待落实违法生育线索", "clues_overdue": "逾期线索",
}
"""Chinese headers of the summary workbook."""
CHART_COLUMNS = ("duplicates", "separated", "logic_errors", "logic_warnings", "illegal_birth_issues", "missing")


def _counts(units: np.ndarray, name: str, district: str | None) -> pd.Series:
    """Rows per street of the unit codes ``units`` (n,) that are ours."""
    units = np.asarray(units, dtype=object)
    return pd.Series(street_of(units[ours(units, district)]), dtype=object).value_counts().rename(name)


def _acting_units(notices: pd.DataFrame, unit_by_record: pd.Series) -> np.ndarray:
    """object (n,): the unit of ours that acts on each notice (the record's unit; for a request
    to another district, the managing unit that sends it)."""
    record_unit = notices["record_unit_code"].astype(str) if "record_unit_code" in notices.columns else \
        unit_by_record.reindex(notices["record_id"].astype(str)).fillna("").reset_index(drop=True)
    kind = notices["kind"].astype(str) if "kind" in notices.columns else pd.Series("", index=notices.index)
    request = kind.str.startswith("request_").to_numpy()
    sender = notices["from_unit_code"].astype(str).to_numpy(dtype=object) if "from_unit_code" in notices.columns \
        else record_unit.to_numpy(dtype=object)
    return np.where(request, sender, record_unit.to_numpy(dtype=object)).astype(object)


def summarize(records: Records, *, clusters: pd.DataFrame | None = None, notices: pd.DataFrame | None = None,
              separation: pd.DataFrame | None = None, findings: pd.DataFrame | None = None,
              missing: pd.DataFrame | None = None, district: str | None = None) -> pd.DataFrame:
    """Counts per street plus a district total row (SUMMARY_COLUMNS).

    records: the register (n rows).  clusters: record_id, cluster_size (clusters.csv);
    notices: record_id, kind, from_unit_code, record_unit_code (notices.csv); separation:
    unit_code, action; findings: record_id, child_id, unit_code, severity (findings.csv; rows
    with a child_id are children findings); missing: street_code (missing.csv).  Any table may
    be None or empty.  district: this office's code (only its streets are counted).
    """
    norm = records.norm
    unit_by_record = pd.Series(norm["unit_code"].astype(str).to_numpy(dtype=object),
                               index=norm["record_id"].astype(str))
    units = unit_by_record.to_numpy(dtype=object)
    active = ~is_inactive(norm["status"])
    parts = [_counts(units, "records", district), _counts(units[active], "active_records", district)]
    if clusters is not None and len(clusters):
        in_group = clusters.loc[clusters["cluster_size"].astype(int) >= 2, "record_id"].astype(str)
        parts.append(_counts(unit_by_record.reindex(in_group).fillna("").to_numpy(), "duplicates", district))
    if notices is not None and len(notices):
        if "notice_id" in notices.columns:  # notices.csv has a row per record; a notice counts once
            notices = notices.drop_duplicates("notice_id")
        parts.append(_counts(_acting_units(notices, unit_by_record), "notices", district))
    if separation is not None and len(separation):
        sep_units = separation["unit_code"].astype(str).to_numpy(dtype=object)
        parts.append(_counts(sep_units, "separated", district))
        parts.append(_counts(sep_units[(separation["action"] == "transfer_out").to_numpy()], "transfer_out", district))
    if findings is not None and len(findings):
        finding_units = findings["unit_code"].astype(str).to_numpy(dtype=object)
        child = (findings["child_id"].astype(str) != "").to_numpy()
        severity = findings["severity"].to_numpy(dtype=object)
        parts.append(_counts(finding_units[~child & (severity == "error")], "logic_errors", district))
        parts.append(_counts(finding_units[~child & (severity == "warning")], "logic_warnings", district))
        parts.append(_counts(finding_units[child], "illegal_birth_issues", district))
    if missing is not None and len(missing):
        parts.append(_counts(missing["street_code"].astype(str).to_numpy(dtype=object), "missing", district))
    table = pd.concat(parts, axis=1).reindex(columns=COUNT_COLUMNS).fillna(0).astype(np.int64)
    table = table.sort_index(key=lambda index: index.map(lambda code: (code == "", code)))
    table.index.name = "unit_code"
    streets = table.reset_index()
    streets.insert(0, "level", "street")
    named = streets["unit_code"].map(_street_names(records))
    streets.insert(2, "unit_name", named.where(named.notna(), streets["unit_code"]))
    streets.loc[streets["unit_code"] == "", "unit_name"] = "(无街道代码)"
    total = {"level": "district", "unit_code": district or "", "unit_name": "合计",
             **{column: int(streets[column].sum()) for column in COUNT_COLUMNS}}
    return pd.concat([streets, pd.DataFrame([total])], ignore_index=True)[SUMMARY_COLUMNS]


def _street_names(records: Records) -> dict[str, str]:
    """Street code -> name, from the unit_name of records held by the street itself."""
    codes = records.norm["unit_code"].astype(str)
    names = records.raw["unit_name"].astype(str).str.strip()
    own = (codes.str.len() == 9).to_numpy() & (names != "").to_numpy()
    frame = pd.DataFrame({"code": codes[own], "name": names[own]})
    return frame.groupby("code")["name"].agg(lambda s: s.mode().iloc[0]).to_dict() if len(frame) else {}


def rule_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per rule: rule, severity, field, message, count (most frequent first)."""
    columns = ["rule", "severity", "field", "message"]
    if findings is None or not len(findings):
        return pd.DataFrame(columns=[*columns, "count"])
    counted = findings.groupby(columns, sort=False).size().rename("count").reset_index()
    return counted.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


LEVELS_ZH = {"street": "街道", "district": "合计"}
SEVERITIES_ZH = {"error": "错误", "warning": "警告"}
RULE_SHEET = {"message": "问题", "severity": "严重程度", "field": "字段", "count": "条数"}
"""问题分类: each rule under its Chinese message (the English rule code is for machines)."""


def summary_title(summary: pd.DataFrame, as_of=None) -> tuple[str, str]:
    """The two title lines of the printed summary: the district (code and GB/T 2260 name, or
    the streets' when no district was given), the as-of date and the campaign's phase on it."""
    district = str(summary["unit_code"].iloc[-1]) if len(summary) else ""
    name = region_label(district) if district else ""
    where = f"{district} {name}".strip() if district else "全部街道"
    known = as_of is not None and not pd.isna(as_of)
    when = f"截至 {pd.Timestamp(as_of):%Y-%m-%d}" if known else ""
    phase = f"阶段: {phase_of(as_of).name}" if known else ""  # the campaign's calendar (linkage.audit.calendar)
    return f"{where} 育龄妇女信息清理清查总结", "  ".join(part for part in (when, phase) if part)


def summary_for_people(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary under its Chinese headers, 层级 as 街道 / 合计."""
    shown = summary.assign(level=summary["level"].map(LEVELS_ZH).fillna(summary["level"]))
    return shown.rename(columns=SUMMARY_HEADERS_ZH)


def rules_for_people(rules: pd.DataFrame) -> pd.DataFrame:
    """问题分类: message, severity (错误 / 警告), field (its Chinese header), count; no rule codes."""
    from ..columns import CHILD_COLUMNS, REGISTER_COLUMNS

    fields = {**CHILD_COLUMNS, **REGISTER_COLUMNS}
    shown = rules.assign(severity=rules["severity"].map(SEVERITIES_ZH).fillna(rules["severity"]),
                         field=rules["field"].map(lambda f: fields.get(f, f)))
    return shown[[c for c in RULE_SHEET if c in shown.columns]].rename(columns=RULE_SHEET)


def write_summary_excel(summary: pd.DataFrame, path: str | os.PathLike, *, rules: pd.DataFrame | None = None,
                        as_of=None) -> None:
    """summary.xlsx for printing: 清查总结 (a title row with the district and the as-of date,
    the table under Chinese headers, landscape A4 fitted to the width, titles repeated), 统计图
    (a bar chart of the findings per street on a page of its own) and 问题分类 (findings per
    rule, in Chinese)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.worksheet.properties import PageSetupProperties

    from resolve.workbook import fit_sheet

    title, subtitle = summary_title(summary, as_of)
    n_streets = int((summary["level"] == "street").sum())

    def layout(sheet, frame: pd.DataFrame) -> None:
        if sheet.title != "清查总结":
            fit_sheet(sheet, frame, landscape=False)
            return
        sheet.insert_rows(1, 2)
        sheet["A1"], sheet["A2"] = title, subtitle
        sheet["A1"].font = Font(bold=True, size=14)
        fit_sheet(sheet, frame, header_row=3)
        if not n_streets:
            return
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
        chart.title, chart.y_axis.title, chart.x_axis.title = "各街道清查问题", "条数", "街道"
        for column in CHART_COLUMNS:
            col = SUMMARY_COLUMNS.index(column) + 1
            chart.add_data(Reference(sheet, min_col=col, min_row=3, max_row=n_streets + 3), titles_from_data=True)
        label_col = SUMMARY_COLUMNS.index("unit_name") + 1
        chart.set_categories(Reference(sheet, min_col=label_col, min_row=4, max_row=n_streets + 3))
        chart.width, chart.height = 25, 15  # cm: one landscape A4 page
        page = sheet.parent.create_sheet("统计图")
        page["A1"], page["A1"].font = f"{title}  各街道清查问题", Font(bold=True, size=14)
        page.add_chart(chart, "A3")
        page.page_setup.paperSize, page.page_setup.orientation = 9, "landscape"
        page.page_setup.fitToWidth, page.page_setup.fitToHeight = 1, 1
        page.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    sheets = {"清查总结": summary_for_people(summary)}
    if rules is not None:
        sheets["问题分类"] = rules_for_people(rules)
    write_excel(sheets, path, chinese_headers=False, layout=layout)
