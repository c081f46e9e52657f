"""Printable notices: one Excel workbook per receiving unit, and a plain-text rendering.

Why .xlsx and not HTML: every street and district office has Excel or WPS (the WIS
exports they already handle are spreadsheets), opens a workbook with a double click, prints
it on A4 as laid out here (page size, orientation, margins, a page break after each notice
and the header row repeated on every page are stored in the file, so the print does not
depend on browser settings, headers or URLs), can add a note or a stamp and file it or send
it back.  Unit codes and ID numbers are written as text so no leading zero or last digit is
lost.  Each workbook holds:

* 通报单: one form per notice (both records, match probability and reasons, rule, evidence,
  date, sending and receiving units, what to do, a line to sign), one notice per A4 page
  (no fit-to-page scaling there: Excel ignores manual page breaks under fit-to-page);
* 通报清单: the same notices as a table with Chinese headers, filter and frozen header row;
* 待核实名单: the undetermined groups this unit must verify (no record is cancelled).

ID numbers are masked in every printed copy (``mask_id_numbers``: first 6 and last 4 kept,
``330106********1244``); the full numbers stay in notices.csv only.

The workbooks are written as SpreadsheetML directly (``resolve.sheets``): a district run of
250,000 records prints ~26,000 notices (1.6 million cells) into ~800 workbooks in ~3 s, where
openpyxl took 54 s.  The same notices give byte-identical files.

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
from openpyxl.utils import get_column_letter

from linkage.normalize.distinct import per_distinct
from linkage.run_folder import safe_file_stem

from .grouped import text_column
from .sheets import (LABEL, MARGINS, NUMBER, SHEET_HEAD, TITLE, VALUE, cell_xml, line_counts, per_unit, row_height,
                     save_workbook, xml_text)

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
PAIRED = ("项目", "记录编号", "姓名", "身份证号", "所在单位")
"""Form lines with a value for each record (the others span both columns)."""

_UNSAFE = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")
_WIDTHS = {"evidence": 40, "instruction": 40, "missing": 40, "reasons": 24, "rule_label": 20, "record_id_number": 20,
           "kept_id_number": 20, "record_ids": 20, "names": 16, "units": 24, "record_name": 8, "kept_name": 8,
           "probability": 8}  # table columns, in characters; 13 (a unit code) for the others
_BATCH = 4000  # notices and verification lines built at once
_FORM_ROWS = 18  # title, 15 lines, a blank row, the signature line


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters kept, the rest (birth date and sequence) as '*'."""
    number = str(number or "").strip()
    if len(number) >= 11:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * len(number)


def mask_id_numbers(values: Any) -> np.ndarray:
    """``mask_id_number`` over a column, once per distinct value; object (n,)."""
    return per_distinct(pd.Series(values, dtype=object).fillna(""), mask_id_number)


def _probability_texts(frame: pd.DataFrame) -> np.ndarray:
    """'0.950(两条记录直接比对)', '0.800(经同组记录间接关联,取最弱一环:R1~R2)', '无'; object (n,)."""
    value = pd.to_numeric(pd.Series(text_column(frame, "probability")), errors="coerce")
    shown = value.map("{:.3f}".format).where(value.notna(), "无").to_numpy(dtype=object)
    link = pd.Series(text_column(frame, "link")).map(LINK_LABELS).fillna("").to_numpy(dtype=object)
    pair = text_column(frame, "link_records")
    detail = np.where(pair != "", link + ":" + pair, link)
    return np.where(link != "", shown + "(" + detail + ")", shown)


def _units(frame: pd.DataFrame, code: str, name: str) -> np.ndarray:
    codes, names = text_column(frame, code), text_column(frame, name)
    return np.where(pd.Series(names).str.strip() != "", pd.Series(codes + " " + names).str.strip(), codes)


def form_lines(notices: pd.DataFrame, *, mask: bool = True) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """The form of every notice, line by line: (label, value (n,), kept-record value (n,), or
    None on a line with one value); object arrays of str.  ID numbers masked unless ``mask=False``."""
    text = lambda column: text_column(notices, column)  # noqa: E731
    ident = mask_id_numbers if mask else (lambda values: values)
    same = lambda value: np.full(len(notices), value, dtype=object)  # noqa: E731
    return [
        ("发出单位", text("from_unit_code"), None),
        ("接收单位", text("to_unit_code"), None),
        ("途径", text("via"), None),
        ("日期", text("date"), None),
        ("项目", same("待处理记录"), same("保留记录")),
        ("记录编号", text("record_id"), text("kept_record_id")),
        ("姓名", text("record_name"), text("kept_name")),
        ("身份证号", ident(text("record_id_number")), ident(text("kept_id_number"))),
        ("所在单位", _units(notices, "record_unit_code", "record_unit_name"),
         _units(notices, "kept_unit_code", "kept_unit_name")),
        ("管理单位", text("managing_unit_code"), None),
        ("匹配概率", _probability_texts(notices), None),
        ("匹配依据", text("reasons"), None),
        ("规则", text("rule_label") + "(" + text("rule") + ")", None),
        ("依据说明", text("evidence"), None),
        ("处理意见", text("instruction"), None),
    ]


def notice_lines(row: Mapping[str, Any], *, mask: bool = True) -> list[tuple[str, str, str]]:
    """The form of one notice as (label, value for the record, value for the kept record) lines."""
    lines = form_lines(pd.DataFrame([dict(row)]), mask=mask)
    return [(label, str(value[0]), "" if kept is None else str(kept[0])) for label, value, kept in lines]


def render_notice_text(row: Mapping[str, Any], *, mask: bool = True) -> str:
    """One notice as plain text (masked ID numbers unless ``mask=False``)."""
    title = f"{row.get('kind_label', '')}  通报编号 {row.get('notice_id', '')}"
    lines = [title, "=" * 40]
    named = {"发出单位": "from_unit_name", "接收单位": "to_unit_name", "管理单位": "managing_unit_name"}
    for label, value, kept in notice_lines(row, mask=mask):
        if label == "项目":
            lines.append(f"{'':<6}{'待处理记录':<24}保留记录")
        elif label in PAIRED:
            lines.append(f"{label:<6}{value:<28}{kept}")
        else:
            name = str(row.get(named.get(label, ""), "") or "").strip()  # a county code never prints bare
            lines.append(f"{label}: {value} {name}" if name else f"{label}: {value}")
    lines.append("经办人签字: ____________    日期: ____________")
    return "\n".join(lines)


def write_documents(notices: pd.DataFrame, verification: pd.DataFrame, folder: str | os.PathLike) -> list[Path]:
    """One workbook per receiving unit in ``folder`` (created if needed): ``<unit code>.xlsx``.

    notices: ``resolve.draft_notices`` output, shape (n, NOTICE_COLUMNS); verification:
    ``resolve.verification_list`` output (each line goes to every unit of its to_unit_codes).
    Returns the paths written, sorted; nothing is written for empty inputs.
    """
    folder = Path(folder)
    units = text_column(notices, "to_unit_code")
    lines = verification.assign(unit=verification["to_unit_codes"].fillna("").astype(str).str.split(";")) \
        .explode("unit").reset_index(drop=True) if len(verification) else verification.assign(unit=[])
    line_units = text_column(lines, "unit")
    names = pd.Series(1, index=units).groupby(level=0).size().add(
        pd.Series(1, index=line_units).groupby(level=0).size(), fill_value=0).sort_index()
    if not len(names):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    batches = names.cumsum().to_numpy() // _BATCH  # units in batches of ~_BATCH lines: bounded memory
    for batch in np.unique(batches):
        chosen = names.index[batches == batch]
        in_notices, in_lines = pd.Index(chosen).get_indexer(units) >= 0, pd.Index(chosen).get_indexer(line_units) >= 0
        _write_units(notices[in_notices], units[in_notices], lines[in_lines], line_units[in_lines], folder, written)
    return sorted(written.values())


def _write_units(notices: pd.DataFrame, units: np.ndarray, lines: pd.DataFrame, line_units: np.ndarray,
                 folder: Path, written: dict[str, Path]) -> None:
    """The workbooks of the units of ``units`` (n,) and ``line_units`` (m,), recorded in
    ``written`` (lower-cased file stem -> path)."""
    forms, merges, breaks = (per_unit(units, pieces) for pieces in _form_rows(notices, units))
    printed = notices.assign(record_id_number=mask_id_numbers(text_column(notices, "record_id_number")),
                             kept_id_number=mask_id_numbers(text_column(notices, "kept_id_number")))
    table = per_unit(units, _table_rows(printed, TABLE_HEADERS, units))
    pending = per_unit(line_units, _table_rows(lines, VERIFICATION_HEADERS, line_units))
    for unit in sorted(set(units) | set(line_units)):
        stem = safe_file_stem(_UNSAFE.sub("_", unit) or "未知单位")  # a 270-digit code: shortened, kept apart
        while stem.lower() in written:  # two codes that read alike once made safe for a file name
            stem += "_"
        sheets = [("通报单", _form_sheet(unit, forms.get(unit, ""), merges.get(unit, ""), breaks.get(unit, "")), None),
                  ("通报清单", *_table_sheet(printed, TABLE_HEADERS, table.get(unit, "")))]
        if unit in pending:
            sheets.append(("待核实名单", *_table_sheet(lines, VERIFICATION_HEADERS, pending[unit])))
        written[stem.lower()] = folder / f"{stem}.xlsx"
        save_workbook(written[stem.lower()], sheets)


def _form_rows(notices: pd.DataFrame, units: np.ndarray) -> tuple[list[Any], list[Any], list[Any]]:
    """Each notice's form on its own page of its unit's 通报单: XML pieces of its rows, its
    merged cells and its page break (``_per_unit``)."""
    first = pd.Series(units).groupby(units, sort=False).cumcount().to_numpy() * _FORM_ROWS + 1
    row = lambda k: (first + k).astype(str).astype(object)  # noqa: E731
    title = xml_text(text_column(notices, "kind_label") + "  通报编号 " + text_column(notices, "notice_id"))
    xml = ['<row r="', row(0), '" ht="21" customHeight="1">', *cell_xml("A", row(0), title, TITLE), "</row>"]
    merges: list[Any] = []
    for k, (label, value, kept) in enumerate(form_lines(notices), start=1):
        r, style = row(k), LABEL if label == "项目" else VALUE
        cells = cell_xml("A", r, label, LABEL) + cell_xml("B", r, xml_text(value), style)
        if kept is None:
            cells += ['<c r="C', r, f'" s="{VALUE}"/>']
            merges += ['<mergeCell ref="B', r, ":C", r, '"/>']
            lines = line_counts(value, 58)
        else:
            cells += cell_xml("C", r, xml_text(kept), style)
            lines = np.maximum(line_counts(value, 28), line_counts(kept, 28))
        xml += ['<row r="', r, '"', row_height(lines), ">", *cells, "</row>"]
    r = row(_FORM_ROWS - 1)
    xml += ['<row r="', r, '">', *cell_xml("A", r, "经办人签字:", 0), *cell_xml("C", r, "日期:", 0), "</row>"]
    return xml, merges, ['<brk id="', r, '" max="16383" man="1"/>']


def _table_rows(frame: pd.DataFrame, headers: dict[str, str], units: np.ndarray) -> list[Any]:
    """One table row per line of ``frame``, numbered from 2 within its unit: XML pieces."""
    r = (pd.Series(units).groupby(units, sort=False).cumcount().to_numpy() + 2).astype(str).astype(object)
    cells: list[Any] = []
    lines = np.ones(len(frame), dtype=np.int64)
    for index, column in enumerate(c for c in headers if c in frame.columns):
        letter = get_column_letter(index + 1)
        if pd.api.types.is_float_dtype(frame[column]):
            number = frame[column].round(3).to_numpy(dtype=float).astype(str).astype(object)
            cells += ['<c r="' + letter, r, f'" s="{NUMBER}"',
                      np.where(frame[column].notna(), "><v>" + number + "</v></c>", "/>")]
        else:
            text = text_column(frame, column)
            cells += cell_xml(letter, r, xml_text(text), VALUE)
            lines = np.maximum(lines, line_counts(text, _WIDTHS.get(column, 13) - 1))
    return ['<row r="', r, '"', row_height(lines), ">", *cells, "</row>"]


def _form_sheet(unit: str, rows: str, merges: str, breaks: str) -> str:
    if not rows:
        rows = '<row r="1">' + "".join(cell_xml("A", "1", xml_text([f"{unit}: 本次无需处理的通报,请查看待核实名单。"])[0], 0)) \
            + "</row>"
    count = breaks.count("<brk ")
    return (SHEET_HEAD + '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="10.7" customWidth="1"/>'
            f'<col min="2" max="3" width="30.7" customWidth="1"/></cols><sheetData>{rows}</sheetData>'
            + (f'<mergeCells count="{merges.count("<mergeCell ")}">{merges}</mergeCells>' if merges else "")
            + MARGINS.format(0.5) + '<pageSetup paperSize="9" orientation="portrait"/>'
            + (f'<rowBreaks count="{count}" manualBreakCount="{count}">{breaks}</rowBreaks>' if count else "")
            + "</worksheet>")


def _table_sheet(frame: pd.DataFrame, headers: dict[str, str], rows: str) -> tuple[str, tuple[str, int]]:
    columns = [c for c in headers if c in frame.columns]
    head = "".join("".join(cell_xml(get_column_letter(k + 1), "1", headers[c], LABEL)) for k, c in enumerate(columns))
    widths = "".join(f'<col min="{k + 1}" max="{k + 1}" width="{_WIDTHS.get(c, 13)}" customWidth="1"/>'
                     for k, c in enumerate(columns))
    last = (get_column_letter(len(columns)), rows.count("<row ") + 1)
    return (SHEET_HEAD + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
            f'<sheetData><row r="1">{head}</row>{rows}</sheetData><autoFilter ref="A1:{last[0]}{last[1]}"/>'
            + MARGINS.format(0.7) + '<pageSetup paperSize="9" orientation="landscape" fitToHeight="0"/></worksheet>',
            last)
