"""SpreadsheetML written directly: cells, rows and whole .xlsx packages as XML text.

The printable notices (``resolve.documents``) run to millions of cells per district, and
openpyxl or xlsxwriter build one Python object per cell (54 s and 20-30 s at 250,000
records); here a column of cells is built at once with numpy string concatenation over
object arrays, text is escaped once per distinct value, and each worksheet is joined once.
The package holds the parts Excel itself writes (content types, relationships, workbook with
print titles and filter names, styles, worksheets with inline strings); zip entries carry a
fixed date, so the same content gives byte-identical files.

>>> xml_text(["a<b & c", "ok\x07"]).tolist()
['a&lt;b &amp; c', 'ok']
>>> line_counts(np.array(["12345", "一二三四五", "12" + chr(10) + "12345"], dtype=object), 4).tolist()
[2, 3, 3]
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.distinct import per_distinct

TITLE, LABEL, VALUE, NUMBER, PLAIN, SEAL = 1, 2, 3, 4, 5, 6
"""Cell styles (indices into the cellXfs of ``STYLES``): title, boxed bold label, boxed text, boxed number,
unboxed text (signature lines), the seal area (boxed, text at its bottom right)."""
LINE_HEIGHT = 16.0
"""Points per wrapped line (宋体 11 takes 14.25, substitute CJK fonts up to 16)."""
_NOT_XML_RE2 = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{fffe}\\x{ffff}]"
"""``_NOT_XML`` for pyarrow's RE2 (valid UTF-8 holds no surrogate)."""
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_BYTES = bytes(range(256)).translate(None, bytes([*range(0, 9), 11, 12, *range(14, 32)]))
"""The bytes that are not C0 controls XML forbids (deleted by ``bytes.translate``, what is left is one)."""


def _holds_not_xml(octets: bytes) -> bool:
    """``octets`` (UTF-8) hold one of ``_NOT_XML_RE2``'s characters: a control byte, U+FFFE or
    U+FFFF.  By C loops over the buffer (a delete-translate, substring finds), about 20x a regex's speed."""
    if octets.translate(None, _XML_BYTES):
        return True
    return b"\xef\xbf" in octets and (b"\xef\xbf\xbe" in octets or b"\xef\xbf\xbf" in octets)


def per_unit(units: np.ndarray, pieces: list[Any]) -> dict[str, bytes]:
    """Each line's XML, given as pieces (a str, an object str array (n,) or an Arrow string
    array (n,) per line), joined per unit in input order: unit -> UTF-8 bytes.  The lines are
    joined by Arrow's kernels and each unit's bytes are a slice of one buffer: no Python
    string per line or per cell is built."""
    units = np.asarray(units)
    if not len(units):
        return {}
    columns = [pa.scalar(piece, type=pa.large_string()) if isinstance(piece, str) else _large(piece)
               for piece in pieces]
    lines = pc.binary_join_element_wise(*columns, _EMPTY) if columns else pa.array([""] * len(units),
                                                                                      type=pa.large_string())
    order = np.argsort(units, kind="stable")
    names, starts = np.unique(units[order], return_index=True)
    lines = pa.concat_arrays([lines.take(pa.array(order))])  # one buffer, in unit order, offset 0
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64, count=len(lines) + 1)
    data = lines.buffers()[2]
    data = memoryview(b"") if data is None else memoryview(data)
    ends = [*starts[1:], len(units)]
    return {str(name): bytes(data[offsets[a]:offsets[b]]) for name, a, b in zip(names, starts, ends)}


_EMPTY = pa.scalar("", type=pa.large_string())


def _large(piece: Any) -> pa.Array:
    """A piece of ``per_unit`` as an Arrow large_string array."""
    if isinstance(piece, (pa.Array, pa.ChunkedArray)):
        array = piece.combine_chunks() if isinstance(piece, pa.ChunkedArray) else piece
        return array if array.type == pa.large_string() else pc.cast(array, pa.large_string())
    return pa.array(np.asarray(piece, dtype=object), type=pa.large_string())


def numbered(values: np.ndarray) -> pa.Array:
    """Integers (n,) as the Arrow strings of their digits (row numbers of a sheet)."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())


def xml_text(values: Any, *, arrow: bool = False) -> Any:
    """Text escaped for XML (characters XML cannot hold dropped, at most 32,767 characters, as
    Excel holds in a cell), by pyarrow's kernels over the whole column; object (n,), or with
    ``arrow`` the Arrow string array (n,) itself (a piece for ``per_unit``)."""
    text = pd.Series(values, dtype=object).astype(str)
    try:
        array = pa.array(text.to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowInvalid, UnicodeEncodeError):  # a lone surrogate: one distinct value at a time
        return per_distinct(text, _escaped)
    data = array.buffers()[2]
    octets = b"" if data is None else data.to_pybytes()  # what the kernels below need to do, seen in one pass
    if _holds_not_xml(octets):
        array = pc.replace_substring_regex(array, _NOT_XML_RE2, "")
    if len(octets) > 32767 and pc.max(pc.utf8_length(array)).as_py() > 32767:
        array = pc.utf8_slice_codeunits(array, 0, 32767)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if raw.encode() in octets:
            array = pc.replace_substring(array, raw, escaped)
    if arrow:
        return array
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=object)


def _escaped(text: str) -> str:
    return _NOT_XML.sub("", text)[:32767].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")



def _widths_and_breaks(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(printed widths int64 (n,), has a line break bool (n,), the values as object str (n,))."""
    text = np.asarray(pd.Series(values, dtype=object).astype(str).to_numpy(dtype=object), dtype=object)
    try:
        array = pa.array(text, type=pa.string())
    except (pa.ArrowInvalid, UnicodeEncodeError):  # a lone surrogate: one value at a time
        widths = per_distinct(pd.Series(text), lambda v: (len(v) + len(v.encode("utf-8", "ignore"))) // 2,
                              dtype=np.int64)
        return widths, np.array(["\n" in v for v in text], dtype=bool), text
    characters = pc.utf8_length(array).to_numpy(zero_copy_only=False).astype(np.int64)
    octets = pc.binary_length(array).to_numpy(zero_copy_only=False).astype(np.int64)
    breaks = pc.match_substring(array, "\n").to_numpy(zero_copy_only=False).astype(bool)
    return (characters + octets) // 2, breaks, text


def text_widths(values: Any) -> np.ndarray:
    """Printed width of each value in ASCII characters (a Chinese character, 3 bytes in UTF-8,
    takes two): ``(characters + UTF-8 bytes) // 2``, by pyarrow's kernels over the whole
    column; int64 (n,)."""
    return _widths_and_breaks(values)[0]


def measure(values: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A column measured once for ``widest_lines`` and ``line_counts``: (printed widths int64 (n,),
    has a line break bool (n,), the values as object str (n,))."""
    return _widths_and_breaks(values)


def widest_lines(measured: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Printed width of each value's widest line (``measure``'d); int64 (n,)."""
    widths, broken, text = measured
    if broken.any():
        widths = widths.copy()
        widths[broken] = per_distinct(pd.Series(text[broken]), lambda v: max(text_widths(v.split("\n"))),
                                      dtype=np.int64)
    return widths


def line_counts(values: Any, capacity: int) -> np.ndarray:
    """Printed lines a wrapped value takes in a cell ``capacity`` ASCII characters wide (a
    Chinese character takes two; each line of a value with line breaks wrapped apart); int
    (n,), at least 1.  Vectorised (``text_widths``); values with a line break one by one.
    ``values`` may be a column already ``measure``'d."""
    widths, broken, text = values if isinstance(values, tuple) else _widths_and_breaks(values)
    lines = np.maximum(1, -(-widths // capacity))
    if broken.any():
        lines[broken] = per_distinct(pd.Series(text[broken]), lambda v: _lines(v, capacity), dtype=np.int64)
    return lines


def _lines(text: str, capacity: int) -> int:
    """Wrapped lines of ``text``, each of its own lines (split at a line break) wrapped apart."""
    return sum(max(1, -(-((len(part) + len(part.encode("utf-8", "ignore"))) // 2) // capacity))
               for part in text.split("\n"))


def column_letter(index: int) -> str:
    """A sheet's column name from its 1-based number (1 -> 'A', 27 -> 'AA'): openpyxl's
    ``get_column_letter`` without importing openpyxl (0.1 s of every run's start).

    >>> [column_letter(k) for k in (1, 26, 27, 703)]
    ['A', 'Z', 'AA', 'AAA']
    """
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(column: str, rows: Any, texts: Any, style: int) -> list[Any]:
    """One inline-string cell per line: rows, texts (escaped) str or object str (n,) -> XML pieces."""
    return [f'<c r="{column}', rows, f'" s="{style}" t="inlineStr"><is><t xml:space="preserve">', texts,
            "</t></is></c>"]



def row_height(lines: np.ndarray) -> np.ndarray:
    """Row height attribute for wrapped text of ``lines`` (n,) lines ('' for one line); object (n,).
    Set in the file because Excel, WPS and LibreOffice do not agree on fitting it when opened."""
    height = (lines * LINE_HEIGHT + 4).astype(str).astype(object)
    return np.where(lines > 1, ' ht="' + height + '" customHeight="1"', "")


SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats'
         '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')
MARGINS = '<pageMargins left="{0}" right="{0}" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_FONT = '<sz val="{}"/><name val="宋体"/><family val="3"/><charset val="134"/>'
_BOXED = 'borderId="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/'
    f'spreadsheetml/2006/main"><fonts count="3"><font>{_FONT.format(11)}</font><font><b/>{_FONT.format(14)}</font>'
    f'<font><b/>{_FONT.format(11)}</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills><borders count="2"><border><left/><right/><top/>'
    '<bottom/><diagonal/></border><border><left style="thin"/><right style="thin"/><top style="thin"/>'
    '<bottom style="thin"/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
    'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    f'<xf numFmtId="49" fontId="2" fillId="0" xfId="0" applyNumberFormat="1" applyFont="1" {_BOXED}'
    f'<xf numFmtId="49" fontId="0" fillId="0" xfId="0" applyNumberFormat="1" {_BOXED}'
    f'<xf numFmtId="0" fontId="0" fillId="0" xfId="0" {_BOXED}'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="bottom"/></xf>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" '
    'applyAlignment="1"><alignment horizontal="right" vertical="bottom" wrapText="1"/></xf>'
    '</cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def save_workbook(path: Path, sheets: list[tuple[str, str | bytes, tuple[str, int, int] | None]]) -> None:
    """The .xlsx package of ``sheets`` (name, worksheet XML as str or UTF-8 bytes, (last column, last row, header row)
    of a table or None): a table gets its rows down to the header printed on every page, and
    its filter from the header row."""
    xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    ids = range(1, len(sheets) + 1)
    names = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{k - 1}" hidden="1">\'{name}\'!'
                    f'$A${ref[2]}:${ref[0]}${ref[1]}</definedName><definedName name="_xlnm.Print_Titles" '
                    f'localSheetId="{k - 1}">\'{name}\'!$1:${ref[2]}</definedName>'
                    for k, (name, _, ref) in zip(ids, sheets) if ref)
    parts = {
        "[Content_Types].xml": xml + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        f'ContentType="{_OOXML}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OOXML}.styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{_OOXML}.worksheet+xml"/>'
                  for k in ids) + "</Types>",
        "_rels/.rels": xml + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": xml + f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>'
        + "".join(f'<sheet name="{name}" sheetId="{k}" r:id="rId{k}"/>' for k, (name, _, _) in zip(ids, sheets))
        + "</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>",
        "xl/_rels/workbook.xml.rels": xml + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships">' + "".join(f'<Relationship Id="rId{k}" Type="{_REL}/worksheet" Target="worksheets/sheet{k}'
                                    '.xml"/>' for k in ids)
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
        **{f"xl/worksheets/sheet{k}.xml": sheet for k, (_, sheet, _) in zip(ids, sheets)},
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            book.writestr(info, text if isinstance(text, bytes) else text.encode("utf-8"), compresslevel=1)
