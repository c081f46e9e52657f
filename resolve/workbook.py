"""Excel for people (``OUT/办理清单.xlsx``): the notices, the verification list and the
managing-unit decisions with Chinese headers and Chinese values, next to the CSVs machines read.

The CSVs stay as SCHEMA.md says (English headers and codes such as ``cancel_in_district``:
the audit system's contract).  A clerk opens this workbook instead: 通报类型 reads
区内重复注销, 处理 reads 注销 / 迁出, 状态 reads 已确定 / 待核实, every ID number and unit
code is a text cell (no ``3.30112200707017E+017``, no lost leading zero), each column is as
wide as its text (long text wraps, its row grows), the header row is frozen and filtered,
and the pages print landscape on A4, the header repeated on every page.  Its cells are
SpreadsheetML written directly (``table_sheet_xml``, fast at a city's size; every text an
inline string, never a formula).  ``fit_sheet`` lays out the small workbooks that
``linkage.io.write_excel`` writes (summary.xlsx, spotcheck.xlsx) the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from linkage.io import write_excel

from .documents import ACTION_LABELS, LINK_LABELS
from .grouped import text_column
from .notices import KINDS
from .sheets import (LABEL, MARGINS, NUMBER, SHEET_HEAD, VALUE, cell_xml, column_letter, line_counts, measure, numbered,
                     per_unit, row_height, save_workbook, widest_lines, xml_text)

WORKBOOK_NAME = "办理清单.xlsx"
NOTICE_SHEET = {
    "notice_id": "通报编号", "kind": "通报类型", "action": "处理", "via": "途径", "from_unit_code": "发出单位代码",
    "from_unit_name": "发出单位", "to_unit_code": "接收单位代码", "to_unit_name": "接收单位",
    "record_id": "待处理记录编号", "record_name": "姓名", "record_id_number": "身份证号",
    "record_unit_code": "所在单位代码", "record_unit_name": "所在单位", "kept_record_id": "保留记录编号",
    "kept_name": "保留记录姓名", "kept_id_number": "保留记录身份证号", "kept_unit_code": "保留记录单位代码",
    "kept_unit_name": "保留记录单位", "managing_unit_code": "管理单位代码", "managing_unit_name": "管理单位",
    "probability": "匹配概率", "link": "概率来源", "reasons": "匹配依据", "rule_label": "规则", "evidence": "依据说明",
    "copy_first": "先补录的信息", "copy_from": "补录来源记录", "instruction": "处理意见", "record_ids": "本通报的记录",
    "cluster_id": "聚类编号", "date": "日期",
}
"""notices.csv column -> its header here, in the order shown (one row per record, as the CSV)."""
VERIFICATION_SHEET = {
    "cluster_id": "聚类编号", "record_ids": "记录编号", "names": "姓名", "units": "所在单位代码",
    "to_unit_codes": "须核实的单位", "missing": "缺少的信息", "evidence": "已读取的依据", "date": "日期",
}
DECISION_SHEET = {
    "cluster_id": "聚类编号", "status": "状态", "action": "保留记录的处理", "managing_record_id": "保留记录编号",
    "managing_unit_code": "管理单位代码", "rule_label": "规则", "evidence": "依据说明", "missing": "缺少的信息",
    "records": "记录编号", "units": "所在单位代码", "names": "姓名", "inactive_records": "已注销/迁出的记录",
    "n_records": "记录数", "date": "日期",
}
VALUES = {
    "kind": KINDS,
    "action": {**ACTION_LABELS, "keep": "保留", "verify": "待核实"},
    "status": {"decided": "已确定", "undetermined": "待核实", "inactive": "无需处理(均已注销或迁出)"},
    "link": LINK_LABELS,
}
"""Codes shown in Chinese (a code without an entry is shown as it is)."""
TEXT_WORDS = ("代码", "编号", "身份证号", "记录", "单位", "日期")
"""A header holding one of these is a text column (ID numbers, codes, dates typed as text)."""
MAX_WIDTH = 48
"""Widest column, in characters; longer text wraps and its row grows."""
PAGE_WIDTH = 150
"""Characters of column width printed across one landscape A4 page; a wider table prints in
strips of pages, fitted to that many page widths, its first column repeated on each."""
_LINE_POINTS = 15.0


def display_width(values: Iterable[str]) -> np.ndarray:
    """Characters a value takes in a column (a Chinese character counts two; the widest of its
    lines); int (n,)."""
    return widest_lines(measure(list(values) if not isinstance(values, (np.ndarray, pd.Series)) else values))


def fit_sheet(sheet, frame: pd.DataFrame, *, header_row: int = 1, landscape: bool = True) -> None:
    """Lay out an openpyxl ``sheet`` holding ``frame`` (its header on ``header_row``): a bold,
    boxed header, frozen and filtered; widths fitted to the text (at most MAX_WIDTH, longer
    text wrapped with its rows grown); text columns typed as text; numbers right as numbers;
    A4, landscape unless told, fitted to the page width (or to a few page widths for a table
    wider than PAGE_WIDTH), header rows repeated on every page, page numbers in the footer."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    n = len(frame)
    lines = np.ones(n, dtype=np.int64)
    wrap = Alignment(wrap_text=True, vertical="top")
    for k, column in enumerate(frame.columns, start=1):
        letter = column_letter(k)
        head = sheet.cell(header_row, k)
        head.font, head.border = Font(bold=True), box
        head.fill = PatternFill("solid", fgColor="DDEBF7")
        head.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            for row in range(header_row + 1, header_row + 1 + n):
                sheet.cell(row, k).number_format = "0.000"
            width = 10
        elif pd.api.types.is_numeric_dtype(values):
            width = max(8, display_width([str(column)])[0] + 2)
        else:
            text = text_column(frame, column)
            widths = display_width(text) if n else np.zeros(0, np.int64)
            width = int(min(MAX_WIDTH, max(display_width([str(column)])[0], widths.max(initial=0)) + 2))
            if any(word in str(column) for word in TEXT_WORDS):
                sheet.column_dimensions[letter].number_format = "@"
            long = np.flatnonzero(widths > width - 2) if n else []
            for at in long:
                sheet.cell(header_row + 1 + int(at), k).alignment = wrap
            if len(long):
                lines[long] = np.maximum(lines[long], -(-widths[long] // (width - 2))
                                         + pd.Series(text[long]).str.count("\n").to_numpy())
        sheet.column_dimensions[letter].width = max(width, 6)
    for at in np.flatnonzero(lines > 1):
        sheet.row_dimensions[header_row + 1 + int(at)].height = float(lines[at] * _LINE_POINTS + 3)
    last = column_letter(max(1, len(frame.columns)))
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + n}"
    sheet.print_title_rows = f"1:{header_row}"
    setup = sheet.page_setup
    setup.paperSize, setup.orientation = 9, "landscape" if landscape else "portrait"
    total = sum(sheet.column_dimensions[column_letter(k)].width for k in range(1, len(frame.columns) + 1))
    across = max(1, int(-(-total // PAGE_WIDTH)))  # pages side by side, each legible (about 9 pt at least)
    setup.fitToWidth, setup.fitToHeight = across, 0
    if across > 1:
        sheet.print_title_cols = "A:A"  # each strip of a wide table starts with its first column
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = "第 &P 页,共 &N 页"


def chinese_values(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The columns of ``headers`` that ``frame`` has, codes in Chinese (VALUES), under their
    Chinese headers; text columns as str ('' for blanks), numbers as numbers."""
    out = {}
    for column, header in headers.items():
        if column not in frame.columns:
            continue
        values = frame[column]
        if column in VALUES:
            text = pd.Series(text_column(frame, column))
            out[header] = text.map(VALUES[column]).fillna(text).to_numpy(dtype=object)
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[header] = values.to_numpy()
        else:
            out[header] = text_column(frame, column)
    return pd.DataFrame(out)


def table_sheet_xml(frame: pd.DataFrame) -> tuple[bytes, tuple[str, int, int]]:
    """A worksheet of ``frame`` as SpreadsheetML (``resolve.sheets``): the header on row 1,
    bold and boxed, frozen and filtered; text as inline-string cells (never a formula, never a
    number: ID numbers and codes keep every digit); floats as numbers (0.000); columns as wide
    as their text up to MAX_WIDTH, longer text wrapped in rows grown to it; landscape A4,
    fitted to a few page widths (PAGE_WIDTH), the header on every page.  Returns the sheet's
    XML and (last column, last row, header row) for ``save_workbook``."""

    n = len(frame)
    r = numbered(np.arange(n) + 2)
    cells: list = []
    lines = np.ones(n, dtype=np.int64)
    widths = []
    for k, column in enumerate(frame.columns, start=1):
        letter = column_letter(k)
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            number = values.astype(float).round(4)
            shown = number.to_numpy(dtype=float).astype(str).astype(object)
            cells += ['<c r="' + letter, r, f'" s="{NUMBER}"',
                      np.where(values.notna().to_numpy(), "><v>" + shown + "</v></c>", "/>")]
            widths.append(max(10, int(display_width([str(column)])[0]) + 2))
            continue
        text = text_column(frame, column)
        measured = measure(text)  # widths, line breaks: once per column
        width = int(min(MAX_WIDTH, max(display_width([str(column)])[0], widest_lines(measured).max(initial=0)) + 2))
        cells += cell_xml(letter, r, xml_text(text, arrow=True), VALUE)
        lines = np.maximum(lines, line_counts(measured, width - 2))
        widths.append(width)
    rows = b"".join(per_unit(np.zeros(n, dtype=np.int8), ['<row r="', r, '"', row_height(lines), ">", *cells,
                                                          "</row>"]).values()) if n else b""
    head = "".join("".join(cell_xml(column_letter(k), "1", xml_text([str(c)])[0], LABEL))
                   for k, c in enumerate(frame.columns, start=1))
    cols = "".join(f'<col min="{k}" max="{k}" width="{w}" customWidth="1"/>' for k, w in enumerate(widths, start=1))
    across = max(1, int(-(-sum(widths) // PAGE_WIDTH)))
    last = (column_letter(max(1, len(frame.columns))), n + 1, 1)
    head_xml = (SHEET_HEAD + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{head}</row>')
    tail = (f'</sheetData><autoFilter ref="A1:{last[0]}{last[1]}"/>' + MARGINS.format(0.4)
            + f'<pageSetup paperSize="9" orientation="landscape" fitToWidth="{across}" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C第 &amp;P 页,共 &amp;N 页</oddFooter></headerFooter></worksheet>')
    return b"".join([head_xml.encode("utf-8"), rows, tail.encode("utf-8")]), last


def write_action_workbook(notices: pd.DataFrame, verification: pd.DataFrame, decisions: pd.DataFrame,
                          folder: str | os.PathLike) -> Path:
    """``folder/办理清单.xlsx``: sheets 通报清单 (notices.csv, one row per record), 待核实名单
    (verification.csv) and 管理单位决定 (decisions.csv), Chinese headers and values.

    Written as SpreadsheetML directly (``table_sheet_xml``), as the printable notices are: at
    250,000 records (23,000 notice rows, 31,000 decisions) openpyxl took 81 s, this ~2 s.
    Every text cell is an inline string, so no value is ever read as a formula."""
    path = Path(folder) / WORKBOOK_NAME
    sheets = {"通报清单": chinese_values(notices, NOTICE_SHEET),
              "待核实名单": chinese_values(verification, VERIFICATION_SHEET),
              "管理单位决定": chinese_values(decisions, DECISION_SHEET)}
    save_workbook(path, [(name, *table_sheet_xml(frame)) for name, frame in sheets.items()])
    return path
