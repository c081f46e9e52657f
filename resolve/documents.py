"""Printable notices: one Excel workbook per receiving unit, and a plain-text rendering.

Why .xlsx and not HTML: every street and district office has Excel or WPS (the WIS
exports they already handle are spreadsheets), opens a workbook with a double click, prints
it on A4 as laid out here (page size, orientation, margins, a page break after each notice
and the header row repeated on every page are stored in the file, so the print does not
depend on browser settings, headers or URLs), can add a note or a stamp and file it or send
it back.  Unit codes and ID numbers are written as text so no leading zero or last digit is
lost.  Each workbook holds:

* 通报单: one form per notice (its records, one line each, and the kept record -- or, on a
  transfer, the unit it moves to; match probability and reasons, the rule in Chinese, evidence,
  date, sending and receiving units with their names, what to do, lines for 经办人 and 审核人 to
  sign and date, an area for the unit's seal), one notice per A4 page, every row as tall as its
  wrapped text (no fit-to-page scaling there: Excel ignores manual page breaks under fit-to-page);
* 通报清单: the notices' records as a table (a title row and Chinese headers repeated on every
  page, filter, frozen panes), landscape and fitted to the page width;
* 待核实名单: the undetermined groups this unit must verify (no record is cancelled).

``tests/test_rendered.py`` prints them with LibreOffice and reads the pages back: one page per
form, nothing cut.

ID numbers are masked in every printed copy (``mask_id_numbers``: first 6 and last 4 kept,
``330106********1244``); the full numbers stay in notices.csv only.

The workbooks are written as SpreadsheetML directly (``resolve.sheets``): a district run of
250,000 records prints ~33,000 notices into ~190 workbooks in ~7 s of CPU (openpyxl took 54 s for
23,000), which a run's writing shares out between two processes (``write_documents``' share).
The same notices give byte-identical files.

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
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.distinct import per_distinct
from linkage.run_folder import safe_file_stem

from .grouped import text_column
from .sheets import (LABEL, MARGINS, NUMBER, PLAIN, SEAL, SHEET_HEAD, TITLE, VALUE, cell_xml, column_letter,
                     line_counts, numbered,
                     per_unit, row_height, save_workbook, xml_text)

LINK_LABELS = {"direct": "两条记录直接比对", "path": "经同组记录间接关联,取最弱一环", "strongest": "与同组记录的最强比对",
               "none": "无比对记录"}
ACTION_LABELS = {"cancel": "注销", "transfer_out": "迁出"}
"""notices.csv's per-record ``action`` as printed."""
TRANSFER_KINDS = ("transfer_out", "request_transfer")
"""Notices whose record moves rather than goes: the kept record is the record itself, so the
form's second column names the unit it moves to instead of repeating the record."""
TABLE_HEADERS = {
    "notice_id": "通报编号", "kind_label": "类别", "to_unit": "接收单位", "record_id": "待处理记录编号",
    "record_name": "姓名", "record_id_number": "身份证号", "action_label": "处理", "kept_record_id": "保留记录编号",
    "managing_unit": "管理单位", "probability": "匹配概率", "instruction": "处理意见",
}
"""The 通报清单 sheet: one row per record (as notices.csv), the codes with their names, what
fits one landscape A4 page width legibly; the full form is on 通报单."""
VERIFICATION_HEADERS = {
    "cluster_id": "聚类编号", "record_ids": "记录编号", "names": "姓名", "units": "所在单位代码",
    "missing": "缺少的信息", "evidence": "已读取的依据", "date": "日期",
}
PAIRED = ("项目", "记录编号", "姓名", "身份证号", "所在单位")
"""Form lines with a value for each record (the others span both columns)."""
SIGNATURES = ("经办人(签字):", "审核人(签字):")
SEAL_TEXT = "(单位盖章)\n\n年    月    日"

_UNSAFE = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")
_WIDTHS = {"instruction": 44, "missing": 40, "evidence": 40, "record_id_number": 20, "to_unit": 24,
           "managing_unit": 24, "record_ids": 20, "names": 16, "units": 24, "record_name": 8, "probability": 8,
           "action_label": 6, "kind_label": 12}  # table columns, in characters; 13 (a record id) for the others
_BATCH = 4000  # notices and verification lines built at once
_FORM_ROWS = 21  # title, 15 lines, a blank row, two signature lines, the seal area, a blank row
_FORM_CAPACITY = 0.86
"""Share of a cell's width (in characters) counted as holding text when its lines are
counted: the printers' CJK fonts run a little wider than the digit width a column is measured in."""


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
    """'330106003 朝晖街道' (the code alone where no name is known); object (n,)."""
    codes, names = text_column(frame, code), text_column(frame, name)
    try:
        names = np.asarray(pc.utf8_trim_whitespace(pa.array(names, type=pa.string())).to_numpy(zero_copy_only=False),
                           dtype=object)
    except (pa.ArrowInvalid, UnicodeEncodeError):  # a lone surrogate in a name: the slow way
        names = pd.Series(names, dtype=object).str.strip().to_numpy(dtype=object)
    codes = np.asarray(pd.Series(codes, dtype=object).to_numpy(dtype=object), dtype=object)
    return np.where(names != "", np.where(codes != "", codes + " " + names, names), codes)


def per_notice(notices: pd.DataFrame, *, mask: bool = True) -> pd.DataFrame:
    """One row per notice_id (notices.csv has one per record), in the order the notices come:
    the notice's columns from its first row; record_id, record_name, record_id_number (masked
    unless ``mask=False``), record_unit (code and name), probability_text and reasons list its
    records one line each (a record of a notice of several carries its action: 'R2(注销)')."""
    frame = notices.reset_index(drop=True)
    shown = pd.DataFrame({
        "record_id": text_column(frame, "record_id"), "record_name": text_column(frame, "record_name"),
        "record_id_number": mask_id_numbers(text_column(frame, "record_id_number")) if mask
        else text_column(frame, "record_id_number"),
        "record_unit": _units(frame, "record_unit_code", "record_unit_name"),
        "probability_text": _probability_texts(frame), "reasons": text_column(frame, "reasons"),
    })
    ids = text_column(frame, "notice_id") if "notice_id" in frame.columns else np.arange(len(frame)).astype(str)
    several = pd.Series(ids).duplicated(keep=False).to_numpy()
    first = ~pd.Series(ids).duplicated().to_numpy()
    out = frame[first].reset_index(drop=True)
    for column in shown.columns:
        out[column] = shown[column].to_numpy(dtype=object)[first]
    if several.any():
        part = shown[several].copy()
        action = pd.Series(text_column(frame, "action")[several]).map(ACTION_LABELS).fillna("").to_numpy(dtype=object)
        part["probability_text"] = part["record_id"] + ": " + part["probability_text"]
        part["reasons"] = part["record_id"] + ": " + part["reasons"]
        part["record_id"] = np.where(action != "", part["record_id"] + "(" + action + ")", part["record_id"])
        joined = part.groupby(ids[several], sort=False).agg("\n".join)
        at = pd.Index(joined.index).get_indexer(out["notice_id"] if "notice_id" in out.columns else [])
        hit = at >= 0
        for column in shown.columns:
            values = out[column].to_numpy(dtype=object).copy()
            values[hit] = joined[column].to_numpy(dtype=object)[at[hit]]
            out[column] = values
    return out


def form_lines(notices: pd.DataFrame, *, mask: bool = True) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """The form of every notice (``per_notice``: one per notice_id), line by line: (label,
    value (n,), kept-record value (n,), or None on a line with one value); object arrays of
    str.  Every code has its name beside it; nothing English is printed.  On a transfer the
    second column names the unit the record moves to.  ID numbers masked unless ``mask=False``."""
    return _form_lines(per_notice(notices, mask=mask), mask=mask)


def _form_lines(forms: pd.DataFrame, *, mask: bool) -> list[tuple[str, np.ndarray, np.ndarray | None]]:
    """``form_lines`` of notices already one row per notice (``per_notice``)."""
    text = lambda column: text_column(forms, column)  # noqa: E731
    ident = mask_id_numbers if mask else (lambda values: values)
    same = lambda value: np.full(len(forms), value, dtype=object)  # noqa: E731
    moves = np.isin(text("kind"), TRANSFER_KINDS)
    blank_if_moves = lambda values: np.where(moves, "", values)  # noqa: E731
    managing = _units(forms, "managing_unit_code", "managing_unit_name")
    return [
        ("发出单位", _units(forms, "from_unit_code", "from_unit_name"), None),
        ("接收单位", _units(forms, "to_unit_code", "to_unit_name"), None),
        ("途径", text("via"), None),
        ("日期", text("date"), None),
        ("项目", np.where(moves, "待迁出记录", "待处理记录"), np.where(moves, "迁入单位(管理单位)", "保留记录")),
        ("记录编号", text("record_id"), blank_if_moves(text("kept_record_id"))),
        ("姓名", text("record_name"), blank_if_moves(text("kept_name"))),
        ("身份证号", text("record_id_number"), blank_if_moves(ident(text("kept_id_number")))),
        ("所在单位", text("record_unit"), np.where(moves, managing, _units(forms, "kept_unit_code", "kept_unit_name"))),
        ("管理单位", managing, None),
        ("匹配概率", text("probability_text"), None),
        ("匹配依据", text("reasons"), None),
        ("规则", text("rule_label"), None),
        ("依据说明", text("evidence"), None),
        ("处理意见", text("instruction"), None),
    ]


def notice_lines(row: Mapping[str, Any], *, mask: bool = True) -> list[tuple[str, str, str]]:
    """The form of one notice as (label, value for the record, value for the kept record) lines."""
    lines = form_lines(pd.DataFrame([dict(row)]), mask=mask)
    return [(label, str(value[0]), "" if kept is None else str(kept[0])) for label, value, kept in lines]


def render_notice_text(row: Mapping[str, Any] | pd.DataFrame, *, mask: bool = True) -> str:
    """One notice as plain text (masked ID numbers unless ``mask=False``): a row of notices.csv,
    or the rows of one notice (a frame)."""
    first = row.iloc[0] if isinstance(row, pd.DataFrame) else row
    title = f"{first.get('kind_label', '')}  通报编号 {first.get('notice_id', '')}"
    lines = [title, "=" * 40]
    frame = row if isinstance(row, pd.DataFrame) else pd.DataFrame([dict(row)])
    for label, value, kept in form_lines(frame, mask=mask):
        value, kept = str(value[0]), "" if kept is None else str(kept[0])
        if label == "项目":
            lines.append(f"{'':<6}{value:<24}{kept}")
        elif label in PAIRED:
            first_lines, kept_lines = value.split("\n"), kept.split("\n")
            for k in range(max(len(first_lines), len(kept_lines))):
                left = first_lines[k] if k < len(first_lines) else ""
                right = kept_lines[k] if k < len(kept_lines) else ""
                lines.append(f"{label if k == 0 else '':<6}{left:<28}{right}")
        else:
            lines.append(f"{label}: {value}")
    lines += [f"{signer} ____________    日期: ____________" for signer in SIGNATURES]
    lines.append(SEAL_TEXT.split("\n")[0])
    return "\n".join(lines)


def unit_lines(notices: pd.DataFrame, verification: pd.DataFrame) -> pd.Series:
    """Lines each receiving unit's workbook prints (notice records and verification lines), by
    unit code in sorted order: the workbooks ``write_documents`` writes, and their sizes."""
    lines = _verification_lines(verification)
    return pd.Series(1, index=text_column(notices, "to_unit_code")).groupby(level=0).size().add(
        pd.Series(1, index=text_column(lines, "unit")).groupby(level=0).size(), fill_value=0).sort_index()


def _verification_lines(verification: pd.DataFrame) -> pd.DataFrame:
    """verification with a ``unit`` column, one line per unit of its to_unit_codes."""
    if not len(verification):
        return verification.assign(unit=[])
    return verification.assign(unit=verification["to_unit_codes"].fillna("").astype(str).str.split(";")) \
        .explode("unit").reset_index(drop=True)


def write_documents(notices: pd.DataFrame, verification: pd.DataFrame, folder: str | os.PathLike, *,
                    share: tuple[float, float] = (0.0, 1.0)) -> list[Path]:
    """One workbook per receiving unit in ``folder`` (created if needed): ``<unit code>.xlsx``.

    notices: ``resolve.draft_notices`` output, shape (n, NOTICE_COLUMNS), one row per record
    (the rows of a notice share its notice_id and are printed as one form); verification:
    ``resolve.verification_list`` output (each line goes to every unit of its to_unit_codes).
    share: the part of the workbooks written, as a range of the lines (``unit_lines``, in unit
    order): a unit is written when the lines before it start in ``[share[0], share[1])`` of them;
    calls with (0, f) and (f, 1) write every workbook once between them, under the same names (two
    processes may each take one).  Returns the paths written, sorted; nothing for empty inputs.
    """
    folder = Path(folder)
    units = text_column(notices, "to_unit_code")
    lines = _verification_lines(verification)
    line_units = text_column(lines, "unit")
    names = unit_lines(notices, verification)
    if not len(names):
        return []
    stems = _unit_stems(names.index)
    before = (names.cumsum() - names).to_numpy() / names.sum()
    names = names[(before >= share[0]) & ((before < share[1]) | (share[1] >= 1))]
    if not len(names):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    batches = names.cumsum().to_numpy() // _BATCH  # units in batches of ~_BATCH lines: bounded memory
    for batch in np.unique(batches):
        chosen = names.index[batches == batch]
        in_notices, in_lines = pd.Index(chosen).get_indexer(units) >= 0, pd.Index(chosen).get_indexer(line_units) >= 0
        written += _write_units(notices[in_notices], units[in_notices], lines[in_lines], line_units[in_lines], folder,
                                stems)
    return sorted(written)


def _unit_stems(units: pd.Index) -> dict[str, str]:
    """The file stem of each unit's workbook, units in sorted order: the code made safe for a file
    name, shortened when long (a 270-digit code), and '_' added to a code that reads like an earlier
    one once made safe (file names compared without case)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for unit in units:
        stem = safe_file_stem(_UNSAFE.sub("_", unit) or "未知单位")
        while stem.lower() in taken:
            stem += "_"
        taken.add(stem.lower())
        stems[unit] = stem
    return stems


def _write_units(notices: pd.DataFrame, units: np.ndarray, lines: pd.DataFrame, line_units: np.ndarray,
                 folder: Path, stems: dict[str, str]) -> list[Path]:
    """The workbooks of the units of ``units`` (n,) and ``line_units`` (m,), named by ``stems``; their paths."""
    notice_forms = per_notice(notices.assign(to_unit_code=units))
    form_units = text_column(notice_forms, "to_unit_code")
    forms, merges, breaks = (per_unit(form_units, pieces) for pieces in _form_rows(notice_forms, form_units))
    printed = notices.assign(record_id_number=mask_id_numbers(text_column(notices, "record_id_number")),
                             to_unit=_units(notices, "to_unit_code", "to_unit_name"),
                             managing_unit=_units(notices, "managing_unit_code", "managing_unit_name"),
                             action_label=pd.Series(text_column(notices, "action")).map(ACTION_LABELS)
                             .fillna("").to_numpy(dtype=object))
    table = per_unit(units, _table_rows(printed, TABLE_HEADERS, units))
    pending = per_unit(line_units, _table_rows(lines, VERIFICATION_HEADERS, line_units))
    unit_names = dict(zip(units, text_column(notices, "to_unit_name")))
    paths = []
    for unit in sorted(set(units) | set(line_units)):
        heading = f"{unit} {unit_names.get(unit, '')}".strip()
        sheets = [("通报单", _form_sheet(unit, forms.get(unit, b""), merges.get(unit, b""), breaks.get(unit, b"")), None),
                  ("通报清单", *_table_sheet(printed, TABLE_HEADERS, table.get(unit, b""), f"通报清单  {heading}"))]
        if unit in pending:
            sheets.append(("待核实名单", *_table_sheet(lines, VERIFICATION_HEADERS, pending[unit],
                                                   f"待核实名单  {heading}")))
        paths.append(folder / f"{stems[unit]}.xlsx")
        save_workbook(paths[-1], sheets)
    return paths


def _form_rows(forms: pd.DataFrame, units: np.ndarray) -> tuple[list[Any], list[Any], list[Any]]:
    """Each notice's form on its own page of its unit's 通报单: XML pieces of its rows, its
    merged cells and its page break (``per_unit``); forms: ``per_notice`` (g rows), units (g,)."""
    first = pd.Series(units).groupby(units, sort=False).cumcount().to_numpy() * _FORM_ROWS + 1
    row = lambda k: numbered(first + k)  # noqa: E731
    title = xml_text(text_column(forms, "kind_label") + "  通报编号 " + text_column(forms, "notice_id"), arrow=True)
    xml = ['<row r="', row(0), '" ht="24" customHeight="1">', *cell_xml("A", row(0), title, TITLE), "</row>"]
    merges: list[Any] = []
    wide, narrow = int(61 * _FORM_CAPACITY), int(30 * _FORM_CAPACITY)
    for k, (label, value, kept) in enumerate(_form_lines(forms, mask=True), start=1):
        r, style = row(k), LABEL if label == "项目" else VALUE
        cells = cell_xml("A", r, label, LABEL) + cell_xml("B", r, xml_text(value, arrow=True), style)
        if kept is None:
            cells += ['<c r="C', r, f'" s="{VALUE}"/>']
            merges += ['<mergeCell ref="B', r, ":C", r, '"/>']
            lines = line_counts(value, wide)
        else:
            cells += cell_xml("C", r, xml_text(kept, arrow=True), style)
            lines = np.maximum(line_counts(value, narrow), line_counts(kept, narrow))
        xml += ['<row r="', r, '"', row_height(lines), ">", *cells, "</row>"]
    for k, signer in enumerate(SIGNATURES, start=17):
        r = row(k)
        xml += ['<row r="', r, '" ht="30" customHeight="1">', *cell_xml("A", r, signer, PLAIN),
                *cell_xml("B", r, "________________", PLAIN), *cell_xml("C", r, "日期:    年    月    日", PLAIN), "</row>"]
    r = row(19)
    xml += ['<row r="', r, '" ht="80" customHeight="1">', *cell_xml("A", r, "盖章", LABEL),
            *cell_xml("B", r, SEAL_TEXT, SEAL), '<c r="C', r, f'" s="{SEAL}"/>', "</row>"]
    merges += ['<mergeCell ref="B', r, ":C", r, '"/>']
    return xml, merges, ['<brk id="', row(_FORM_ROWS - 1), '" max="16383" man="1"/>']


def _table_rows(frame: pd.DataFrame, headers: dict[str, str], units: np.ndarray) -> list[Any]:
    """One table row per line of ``frame``, numbered from 3 within its unit (a title row, the
    header row): XML pieces."""
    r = numbered(pd.Series(units).groupby(units, sort=False).cumcount().to_numpy() + 3)
    cells: list[Any] = []
    lines = np.ones(len(frame), dtype=np.int64)
    for index, column in enumerate(c for c in headers if c in frame.columns):
        letter = column_letter(index + 1)
        if pd.api.types.is_float_dtype(frame[column]):
            number = frame[column].round(3).to_numpy(dtype=float).astype(str).astype(object)
            cells += ['<c r="' + letter, r, f'" s="{NUMBER}"',
                      np.where(frame[column].notna(), "><v>" + number + "</v></c>", "/>")]
        else:
            text = text_column(frame, column)
            cells += cell_xml(letter, r, xml_text(text, arrow=True), VALUE)
            lines = np.maximum(lines, line_counts(text, int(_WIDTHS.get(column, 13) * _FORM_CAPACITY)))
    return ['<row r="', r, '"', row_height(lines), ">", *cells, "</row>"]


def _form_sheet(unit: str, rows: bytes, merges: bytes, breaks: bytes) -> bytes:
    """The 通报单 sheet of ``unit``: its forms' rows, merged cells and page breaks (UTF-8 XML
    from ``per_unit``); the sheet as UTF-8 bytes."""
    if not rows:
        rows = ('<row r="1">' + "".join(cell_xml("A", "1", xml_text([f"{unit}: 本次无需处理的通报,请查看待核实名单。"])[0], 0))
                + "</row>").encode("utf-8")
    count = breaks.count(b"<brk ")
    head = (SHEET_HEAD + '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" width="10.7" customWidth="1"/>'
            '<col min="2" max="3" width="30.7" customWidth="1"/></cols><sheetData>')
    merged = (f'<mergeCells count="{merges.count(b"<mergeCell ")}">'.encode() + merges + b"</mergeCells>"
              if merges else b"")
    tail = MARGINS.format(0.5) + '<pageSetup paperSize="9" orientation="portrait"/>'
    broken = (f'<rowBreaks count="{count}" manualBreakCount="{count}">'.encode() + breaks + b"</rowBreaks>"
              if count else b"")
    return b"".join([head.encode("utf-8"), rows, b"</sheetData>", merged, tail.encode("utf-8"), broken,
                     b"</worksheet>"])


def _table_sheet(frame: pd.DataFrame, headers: dict[str, str], rows: bytes,
                 title: str) -> tuple[bytes, tuple[str, int, int]]:
    """A list sheet: a title row, the header row (both printed on every page), a filter and
    frozen panes under the header, landscape A4 fitted to the page width."""
    columns = [c for c in headers if c in frame.columns]
    head = "".join("".join(cell_xml(column_letter(k + 1), "2", headers[c], LABEL)) for k, c in enumerate(columns))
    widths = "".join(f'<col min="{k + 1}" max="{k + 1}" width="{_WIDTHS.get(c, 13)}" customWidth="1"/>'
                     for k, c in enumerate(columns))
    last = (column_letter(len(columns)), rows.count(b"<row ") + 2, 2)
    heading = "".join(cell_xml("A", "1", xml_text([title])[0], TITLE))
    head_xml = (SHEET_HEAD + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
                f'<sheetData><row r="1" ht="24" customHeight="1">{heading}</row><row r="2">{head}</row>')
    tail = (f'</sheetData><autoFilter ref="A2:{last[0]}{last[1]}"/>'
            + MARGINS.format(0.5) + '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C第 &amp;P 页,共 &amp;N 页</oddFooter></headerFooter></worksheet>')
    return b"".join([head_xml.encode("utf-8"), rows, tail.encode("utf-8")]), last
