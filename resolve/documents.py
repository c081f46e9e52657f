"""Printable notices: one Excel workbook per receiving unit, and a plain-text rendering.

Why .xlsx and not HTML: every street and district office has Excel or WPS (the WIS
exports they already handle are spreadsheets), opens a workbook with a double click, prints
it on A4 as laid out here (page size, orientation, fit-to-width, a page break after each
notice and the header row repeated on every page are stored in the file, so the print does
not depend on browser settings, headers or URLs), can add a note or a stamp and file it or
send it back.  Unit codes and ID numbers are written as text so no leading zero or last
digit is lost.  Each workbook holds:

* 通报单: one form per notice (both records, match probability and reasons, rule, evidence,
  date, sending and receiving units, what to do, a line to sign), one notice per page;
* 通报清单: the same notices as a table with Chinese headers;
* 待核实名单: the undetermined groups this unit must verify (no record is cancelled).

ID numbers are masked in every printed copy (``mask_id_numbers``: first 6 and last 4 kept,
``330106********1244``); the full numbers stay in notices.csv only.

>>> mask_id_numbers(["330106199001011244", "33010690010112", "12345", ""]).tolist()
['330106********1244', '330106****0112', '*****', '']
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.worksheet.pagebreak import Break

LINK_LABELS = {"direct": "两条记录直接比对", "path": "经同组记录间接关联,取最弱一环", "strongest": "与同组记录的最强比对",
               "none": "无比对记录"}
TABLE_HEADERS = {
    "notice_id": "通报编号", "kind_label": "类别", "from_unit_code": "发出单位代码", "to_unit_code": "接收单位代码",
    "via": "途径", "record_id": "待处理记录编号", "record_name": "姓名", "record_id_number": "身份证号",
    "record_unit_code": "所在单位代码", "kept_record_id": "保留记录编号", "kept_name": "保留记录姓名",
    "kept_id_number": "保留记录身份证号", "kept_unit_code": "保留记录单位代码", "managing_unit_code": "管理单位代码",
    "probability": "匹配概率", "reasons": "匹配依据", "rule_label": "规则", "evidence": "依据说明",
    "instruction": "处理意见", "date": "日期",
}
VERIFICATION_HEADERS = {
    "cluster_id": "聚类编号", "record_ids": "记录编号", "names": "姓名", "units": "所在单位代码",
    "missing": "缺少的信息", "evidence": "已读取的依据", "date": "日期",
}
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNSAFE = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters kept, the rest (birth date and sequence) as '*'."""
    number = str(number or "").strip()
    if len(number) >= 11:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * len(number)


def mask_id_numbers(values: Any) -> np.ndarray:
    """``mask_id_number`` over a column, once per distinct value; object (n,)."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object).fillna(""), use_na_sentinel=False)
    return np.array([mask_id_number(v) for v in distinct] + [""], dtype=object)[:-1][codes]


def _probability_text(row: Mapping[str, Any]) -> str:
    value = pd.to_numeric(pd.Series([row.get("probability")]), errors="coerce").iloc[0]
    shown = "无" if pd.isna(value) else f"{value:.3f}"
    link = LINK_LABELS.get(str(row.get("link", "")), "")
    pair = str(row.get("link_records", "") or "")
    return shown + (f"({link}{':' + pair if pair else ''})" if link else "")


def _unit(code: Any, name: Any) -> str:
    return f"{code} {name}".strip() if str(name or "").strip() else str(code)


def notice_lines(row: Mapping[str, Any], *, mask: bool = True) -> list[tuple[str, str, str]]:
    """The form of one notice as (label, value for the record, value for the kept record) lines."""
    ident = mask_id_number if mask else (lambda v: str(v or ""))
    get = lambda key: str(row.get(key, "") if row.get(key, "") is not None else "")  # noqa: E731
    return [
        ("发出单位", get("from_unit_code"), ""),
        ("接收单位", get("to_unit_code"), ""),
        ("途径", get("via"), ""),
        ("日期", get("date"), ""),
        ("项目", "待处理记录", "保留记录"),
        ("记录编号", get("record_id"), get("kept_record_id")),
        ("姓名", get("record_name"), get("kept_name")),
        ("身份证号", ident(get("record_id_number")), ident(get("kept_id_number"))),
        ("所在单位", _unit(get("record_unit_code"), get("record_unit_name")),
         _unit(get("kept_unit_code"), get("kept_unit_name"))),
        ("管理单位", get("managing_unit_code"), ""),
        ("匹配概率", _probability_text(row), ""),
        ("匹配依据", get("reasons"), ""),
        ("规则", f"{get('rule_label')}({get('rule')})", ""),
        ("依据说明", get("evidence"), ""),
        ("处理意见", get("instruction"), ""),
    ]


def render_notice_text(row: Mapping[str, Any], *, mask: bool = True) -> str:
    """One notice as plain text (masked ID numbers unless ``mask=False``)."""
    title = f"{row.get('kind_label', '')}  通报编号 {row.get('notice_id', '')}"
    lines = [title, "=" * 40]
    for label, value, kept in notice_lines(row, mask=mask):
        if label == "项目":
            lines.append(f"{'':<6}{'待处理记录':<24}保留记录")
        elif kept or label in ("记录编号", "姓名", "身份证号", "所在单位"):
            lines.append(f"{label:<6}{value:<28}{kept}")
        else:
            lines.append(f"{label}: {value}")
    lines.append("经办人签字: ____________    日期: ____________")
    return "\n".join(lines)


def write_documents(notices: pd.DataFrame, verification: pd.DataFrame, folder: str | os.PathLike) -> list[Path]:
    """One workbook per receiving unit in ``folder`` (created if needed): ``<unit code>.xlsx``.

    notices: ``resolve.draft_notices`` output; verification: ``resolve.verification_list``
    output (each line goes to every unit of its to_unit_codes).  Returns the paths written,
    sorted; nothing is written for empty inputs.
    """
    folder = Path(folder)
    lines = verification.assign(unit=verification["to_unit_codes"].astype(str).str.split(";")).explode("unit") \
        if len(verification) else verification.assign(unit=pd.Series(dtype=object))
    units = sorted(set(notices["to_unit_code"].astype(str)) | set(lines["unit"].dropna().astype(str)))
    if not units:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for unit in units:
        path = folder / f"{_UNSAFE.sub('_', unit) or '未知单位'}.xlsx"
        _write_workbook(notices[notices["to_unit_code"].astype(str) == unit],
                        lines[lines["unit"].astype(str) == unit], unit, path)
        written.append(path)
    return sorted(written)


def _write_workbook(notices: pd.DataFrame, verification: pd.DataFrame, unit: str, path: Path) -> None:
    book = Workbook()
    for style in _styles():
        book.add_named_style(style)
    forms = book.active
    forms.title = "通报单"
    _write_forms(forms, notices, unit)
    printed = notices.assign(record_id_number=mask_id_numbers(notices["record_id_number"]),
                             kept_id_number=mask_id_numbers(notices["kept_id_number"]))
    _write_table(book.create_sheet("通报清单"), printed, TABLE_HEADERS)
    if len(verification):
        _write_table(book.create_sheet("待核实名单"), verification, VERIFICATION_HEADERS)
    book.save(path)


def _styles() -> list[NamedStyle]:
    """Named styles, registered once per workbook (assigning one name is far cheaper than fonts,
    borders and alignments cell by cell)."""
    label = NamedStyle("标签", font=Font(bold=True), border=_BOX, alignment=_WRAP, number_format="@")
    value = NamedStyle("内容", border=_BOX, alignment=_WRAP, number_format="@")
    title = NamedStyle("标题", font=Font(bold=True, size=14))
    return [label, value, title]


def _write_forms(sheet, notices: pd.DataFrame, unit: str) -> None:
    for column, width in zip("ABC", (12, 40, 40)):
        sheet.column_dimensions[column].width = width
    _print_setup(sheet, "portrait")
    row = 1
    if not len(notices):
        sheet.cell(row, 1, f"{unit}: 本次无需处理的通报,请查看待核实名单。")
    for record in notices.to_dict("records"):
        sheet.cell(row, 1, f"{record['kind_label']}  通报编号 {record['notice_id']}").style = "标题"
        row += 1
        for label, value, kept in notice_lines(record):
            sheet.cell(row, 1, label).style = "标签"
            paired = bool(kept) or label in ("记录编号", "姓名", "身份证号", "所在单位")
            sheet.cell(row, 2, value).style = "标签" if label == "项目" else "内容"
            if paired:
                sheet.cell(row, 3, kept).style = "标签" if label == "项目" else "内容"
            elif len(value) > 20:  # ~20 Chinese characters fit a line of width 40; a merge is costly
                sheet.row_dimensions[row].height = 15 * -(-len(value) // 20)
            row += 1
        sheet.cell(row + 1, 1, "经办人签字:")
        sheet.cell(row + 1, 3, "日期:")
        row += 2
        sheet.row_breaks.append(Break(id=row))
        row += 1


def _print_setup(sheet, orientation: str) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = orientation
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_table(sheet, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    columns = [c for c in headers if c in frame.columns]
    sheet.append([headers[c] for c in columns])
    for cell in sheet[1]:
        cell.style = "标签"
    for values in frame[columns].itertuples(index=False):
        sheet.append(["" if pd.isna(v) else (round(v, 3) if isinstance(v, float) else str(v)) for v in values])
    for index, column in enumerate(columns, start=1):
        letter = sheet.cell(1, index).column_letter
        sheet.column_dimensions[letter].width = 40 if column in ("evidence", "instruction", "missing") else 18
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.style = "内容"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.print_title_rows = "1:1"
    _print_setup(sheet, "landscape")
