"""Reading registers (CSV in UTF-8 / UTF-8-BOM / GB18030, .xlsx, .parquet) and writing outputs.

Columns are renamed to the English names of SCHEMA.md whatever header they came under;
unknown columns are carried through; absent columns are added empty.  Every value is read
as text so that ID numbers keep their leading zeros and trailing X.
"""

from __future__ import annotations

import csv
import json
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .columns import (
    CHILD_COLUMNS,
    OUTPUT_HEADERS_ZH,
    REGISTER_COLUMNS,
    REQUIRED_CHILD_COLUMNS,
    REQUIRED_REGISTER_COLUMNS,
    canonical_name,
)
from .csv_text import csv_bytes
from .cells import escape_csv_frame, excel_text, has_excel_illegal, unescape_csv_frame
from .errors import InputFileError, SchemaError
from .excel_input import HEADER_SEARCH_ROWS, header_position, known_names, read_sheets
from .messages import rows_text, text

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order; UTF-8 with or without BOM first, then GB18030 (Chinese Excel's CSV)."""

Source = "str | os.PathLike | pd.DataFrame"


def read_table(path: str | os.PathLike, *, table: str = "register") -> pd.DataFrame:
    """A file as a frame of strings ('' for blanks).  Raises InputFileError naming the file.

    table ('register' or 'children'): whose column names find the header when a title row
    stands above it.  Every sheet of a workbook holding the header is read (``excel_input``).
    An empty file, or a header with no records, is an error.  Where rows are not simply "frame
    position + 2" (a title row skipped, several sheets), ``frame.attrs['row_labels']`` says
    where each row is; merged cells filled from their anchor are in ``attrs['merged_cells']``
    as (position, header)."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(text("file.missing", path=path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            frame = _read_csv(path, sep="\t" if suffix == ".tsv" else ",", table=table)
        elif suffix in (".xlsx", ".xlsm"):
            frame = _read_workbook(path, table)
        elif suffix == ".parquet":
            frame = _read_parquet(path)
            if not len(frame.columns):
                raise InputFileError(text("file.empty", path=path))
            if not len(frame):
                raise InputFileError(text("file.header_only", path=path, row=1))
        else:
            raise InputFileError(text("file.unknown_type", path=path, suffix=suffix))
    except InputFileError:
        raise
    except Exception as exc:  # the readers raise many types; name the file whatever it was
        raise InputFileError(text("file.unreadable", path=path, kind=suffix[1:], detail=exc)) from exc
    _check_numeric_ids(frame, path, table)
    return frame


def _read_workbook(path: Path, table: str) -> pd.DataFrame:
    """Every sheet holding the header, joined; row labels name the sheet when there are several."""
    sheets, skipped, names, anything = read_sheets(path, table)
    if not sheets:
        if not anything:
            raise InputFileError(text("file.empty", path=path))
        wanted = "、".join(f"{c}({REGISTER_COLUMNS.get(c, c)})" for c in REQUIRED_REGISTER_COLUMNS)
        raise InputFileError(text("sheet.none", path=path, wanted=wanted, sheets="、".join(names) or "-"))
    for sheet in sheets:
        if not len(sheet.frame):
            raise InputFileError(text("sheet.empty", path=path, sheet=sheet.name))
    several = len(sheets) > 1
    frame = pd.concat([s.frame for s in sheets], ignore_index=True).fillna("") if several else sheets[0].frame
    if several:
        frame.attrs["row_labels"] = [text("rows.sheet", sheet=s.name, row=int(r)) for s in sheets for r in s.rows]
    else:
        frame.attrs["row_numbers"] = sheets[0].rows.tolist()
    frame.attrs["sheets"] = [s.name for s in sheets]
    frame.attrs["skipped_sheets"] = skipped
    frame.attrs["header_row"] = sheets[0].header_row
    numeric: dict[str, list[np.ndarray]] = {}
    offset, merged = 0, []
    for sheet in sheets:
        merged += [(offset + position, column) for position, column in sheet.merged]
        for column in frame.columns:
            numeric.setdefault(column, []).append(sheet.numeric.get(column, np.zeros(len(sheet.frame), dtype=bool)))
        offset += len(sheet.frame)
    frame.attrs["merged_cells"] = merged
    frame.attrs["numeric_cells"] = {column: np.concatenate(parts) for column, parts in numeric.items()}
    return frame


_ID_COLUMNS = ("id_number", "spouse_id_number")
_SCIENTIFIC = r"^\s*[0-9](\.[0-9]+)?[eE]\+?[0-9]+\s*$"


def _check_numeric_ids(frame: pd.DataFrame, path: Path, table: str) -> None:
    """An ID column stored as numbers (digits lost: a workbook's number cells of 16+ digits, or a
    CSV of scientific notation such as 3.30112E+17) on 5% of its values or 50 rows: one
    file-level error naming the column as the header wrote it and how to export it as text."""
    numeric = frame.attrs.get("numeric_cells", {})
    for header in frame.columns:
        if canonical_name(header, table=table) not in _ID_COLUMNS:
            continue
        values = frame[header].astype(str)
        texts = pa.array(values.to_numpy(dtype=object), type=pa.string())
        lost = pc.match_substring_regex(texts, _SCIENTIFIC).to_numpy(zero_copy_only=False).astype(bool)
        if header in numeric:
            digits = values.str.replace(r"\D", "", regex=True).str.len().to_numpy()
            lost = lost | (numeric[header] & (digits >= 16))
        count = int(lost.sum())
        if not count:
            continue
        filled = int(pc.sum(pc.not_equal(pc.utf8_trim_whitespace(texts), "")).as_py() or 0)
        if count and (count >= 50 or count >= 0.05 * filled):
            first = int(np.flatnonzero(lost)[0])
            labels, numbers = frame.attrs.get("row_labels"), frame.attrs.get("row_numbers")
            row = labels[first] if labels else text("rows.list", rows=numbers[first] if numbers else
                                                     first + frame.attrs.get("header_row", 1) + 1)
            raise InputFileError(text("column.numeric_ids", path=path, column=header, row=row,
                                      value=values.iloc[first], count=count))


def _read_parquet(path: Path) -> pd.DataFrame:
    """A parquet file as text ('' for null), converted by pyarrow before the values become Python
    strings: integers and dates as written ('42', '2020-01-02'), floats that are all whole
    numbers as integers (a phone number stored as 13800138000.0 reads '13800138000'); any
    other type as pandas writes it."""
    table = pq.read_table(path)
    text, other = {}, []
    for name, column in zip(table.column_names, table.columns):
        kind = column.type
        if pa.types.is_floating(kind) and _whole_numbers(column):
            column, kind = pc.cast(column, pa.int64()), pa.int64()
        if pa.types.is_integer(kind) or pa.types.is_date(kind) or pa.types.is_dictionary(kind):
            column, kind = pc.cast(column, pa.string()), pa.string()
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            text[name] = pc.fill_null(column, "")
        else:
            other.append(name)
    frame = pa.table(text).to_pandas(self_destruct=True) if text else pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for name in other:
        values = table.column(name).to_pandas()
        frame[name] = values.astype(object).where(values.notna(), "").astype(str)
    return frame[table.column_names] if other else frame  # the selection copies every column


def _whole_numbers(column) -> bool:
    """A float column whose values (nulls aside) are all integers of at most 15 digits."""
    values = column.to_numpy(zero_copy_only=False)
    values = values[~np.isnan(values)]
    return bool(len(values)) and bool(np.all((values == np.round(values)) & (np.abs(values) < 1e15)))


def _first_rows(path: Path, sep: str) -> tuple[str, list[list[str]]]:
    """(encoding, the first HEADER_SEARCH_ROWS rows) of a CSV: UTF-8 (BOM or not) or GB18030."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    complete = head if len(head) < (1 << 16) else head[:head.rfind(b"\n") + 1] or head
    for encoding in CSV_ENCODINGS:
        try:
            decoded = complete.decode(encoding)
        except UnicodeDecodeError:
            continue
        rows = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=sep))
        return encoding, rows[:HEADER_SEARCH_ROWS]
    return "", []


def _header_skip(rows: list[list[str]], table: str) -> int:
    """Rows above the header: 0 unless a later row of the first ones holds more known names than
    the first row (a title row such as 某某区育龄妇女信息表 above the header)."""
    found = header_position(rows, table)
    if not found or known_names(rows[found], table) <= known_names(rows[0], table):
        return 0
    return found


def _read_csv_arrow(path: Path, sep: str, skip: int = 0) -> pd.DataFrame | None:
    """The fast reader for the usual file (UTF-8, a rectangular table, distinct non-blank
    headers): pyarrow's CSV reader, every column as text.  None whenever the file is anything
    else, so the pandas reader (and its error messages) handles it."""
    try:
        with open(path, "rb") as handle:
            reader = csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""), delimiter=sep)
            for _ in range(skip):
                next(reader)
            header = next(reader)
        if len(set(header)) != len(header) or any(not name.strip() or name != name.strip() for name in header):
            return None
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8", skip_rows=skip),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[],
            ),
        )
    except Exception:  # anything unusual: the pandas reader decides
        return None
    if table.num_rows == 0 or table.column_names != header:
        return None
    escaped = [k for k, column in enumerate(table.columns) if pc.any(pc.starts_with(column, "'")).as_py()]
    frame = table.to_pandas(self_destruct=True)  # frees each Arrow column once converted
    del table
    if frame.columns.tolist() != header:
        return None
    if escaped:  # our own outputs read back: the formula apostrophe taken off (linkage.cells)
        unescape_csv_frame(frame)
    return frame


def _read_csv(path: Path, sep: str, table: str = "register") -> pd.DataFrame:
    """A CSV as text: a title row above the header skipped (``attrs['row_labels']`` then says
    where each row is); an empty or header-only file is an error."""
    encoding, first = _first_rows(path, sep)
    if encoding and not any(any(cell.strip() for cell in row) for row in first):
        raise InputFileError(text("file.empty", path=path))
    skip = _header_skip(first, table) if first else 0
    frame = _read_csv_arrow(path, sep, skip)
    if frame is None:
        frame = _read_csv_pandas(path, sep, skip)
    if not len(frame.columns):
        raise InputFileError(text("file.empty", path=path))
    if not len(frame):
        raise InputFileError(text("file.header_only", path=path, row=skip + 1))
    if skip:
        frame.attrs["header_row"] = skip + 1
    return frame


def _read_csv_pandas(path: Path, sep: str, skip: int) -> pd.DataFrame:
    last: Exception | None = None
    for encoding in CSV_ENCODINGS:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=sep, skiprows=skip)
            return unescape_csv_frame(frame)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except pd.errors.ParserError as exc:
            long_row = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            if long_row:
                wanted, line, found = long_row.groups()
                raise InputFileError(text("file.long_row", path=path, row=line, found=found, wanted=wanted)) from exc
            raise InputFileError(text("file.bad_csv", path=path, detail=str(exc).strip())) from exc
    raise InputFileError(text("file.bad_encoding", path=path, detail=last))


def conform(
    frame: pd.DataFrame,
    *,
    name: str = "<frame>",
    table: str = "register",
    required: tuple[str, ...] | None = None,
    is_text: bool = False,
) -> pd.DataFrame:
    """Rename headers to English, add absent columns empty, check required columns and keys.

    Returns a new frame of strings with a RangeIndex; the known columns first, in SCHEMA
    order, then every other column as it came.  is_text: every column is already str with ''
    for blanks (as ``read_table`` gives), so the conversion is skipped.
    """
    layout = CHILD_COLUMNS if table == "children" else REGISTER_COLUMNS
    if required is None:
        required = REQUIRED_CHILD_COLUMNS if table == "children" else REQUIRED_REGISTER_COLUMNS
    where = _Where(frame.attrs)
    original = list(frame.columns)
    renames: dict[object, str] = {}
    for header in frame.columns:
        english = canonical_name(header, table=table)
        if english is not None:
            if english in renames.values():
                first = next(h for h, e in renames.items() if e == english)
                raise SchemaError(text("column.twice", path=name, column=layout[english], english=english,
                                       headers=f"{first}、{header}"), path=name, column=english)
            renames[header] = english
    frame = frame.copy(deep=False)  # a new frame over the same data: the caller's is never changed
    frame.columns = [renames.get(header, header) for header in frame.columns]
    frame.index = pd.RangeIndex(len(frame))  # reset_index(drop=True) without copying the data
    missing = [column for column in required if column not in frame.columns]
    if missing and len(frame):
        wanted = "、".join(f"{layout[c]}({c})" for c in missing)
        found = "、".join(str(h) for h in original[:40])
        raise SchemaError(text("column.missing", path=name, wanted=wanted, row=where.header_row, found=found or "-"),
                          path=name, column=missing[0])
    if not is_text:
        frame = _as_text(frame)
    for column in layout:
        if column not in frame.columns:
            frame[column] = ""
    key = "child_id" if table == "children" else "record_id"
    shown = {english: str(header) for header, english in renames.items()}
    _check_keys(frame, key, name, shown.get(key, key), where)
    known = [c for c in layout if c in frame.columns]
    order = known + [c for c in frame.columns if c not in layout]
    conformed = frame if order == list(frame.columns) else frame[order]  # selecting copies every column
    conformed.attrs = {k: v for k, v in where.attrs.items() if k in ("merged_cells", "row_labels", "row_numbers", "header_row",
                                                                     "sheets", "skipped_sheets")}
    if conformed.attrs.get("merged_cells"):
        conformed.attrs["merged_cells"] = [(p, renames.get(h, h)) for p, h in conformed.attrs["merged_cells"]]
    return conformed


class _Where:
    """Where a frame's rows were in its file (``read_table``'s attrs): their labels for messages."""

    def __init__(self, attrs: dict):
        self.attrs = dict(attrs)
        self.labels = attrs.get("row_labels")
        self.header_row = int(attrs.get("header_row", 1))
        self.row_numbers = attrs.get("row_numbers")

    def rows(self, positions: list[int]) -> str:
        if self.row_numbers is not None:
            return rows_text([self.row_numbers[p] for p in positions], offset=0)
        return rows_text(positions, offset=self.header_row + 1, labels=self.labels)

    def numbers(self, positions: list[int]) -> list[int]:
        if self.row_numbers is not None:
            return [self.row_numbers[p] for p in positions]
        return [p + self.header_row + 1 for p in positions]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as str with '' for blanks; columns already so are left as they are.
    Replaces columns of ``frame`` (a frame ``conform`` made) and returns it."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object or values.isna().any() or not pd.api.types.is_string_dtype(values):
            frame[column] = values.astype(object).where(values.notna(), "").astype(str)
    return frame


def _check_keys(frame: pd.DataFrame, key: str, name: str, header: str, where: "_Where") -> None:
    """The key column trimmed, never blank, unique; errors name the column as the file's header wrote it."""
    keys = frame[key].str.strip()
    frame[key] = keys
    blank = keys.index[keys == ""].tolist()
    if blank:
        raise SchemaError(text("key.blank", path=name, column=header, rows=where.rows(blank)),
                          path=name, column=key, rows=where.numbers(blank))
    repeated = keys.index[keys.duplicated(keep=False)].tolist()
    if repeated:
        raise SchemaError(text("key.repeated", path=name, column=header, values=sorted(set(keys[repeated]))[:5],
                               rows=where.rows(repeated)), path=name, column=key, rows=where.numbers(repeated))


def load(source, *, table: str = "register", required: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A path or a DataFrame, read and conformed (see ``conform``)."""
    if isinstance(source, pd.DataFrame):
        return conform(source, table=table, required=required)
    return conform(read_table(source, table=table), name=str(source), table=table, required=required, is_text=True)


def input_notes(raw: pd.DataFrame, *, shown: bool = False) -> dict:
    """Where the register was found in its file (``linkage.io.read_table``'s attrs): the sheets read
    and skipped, the header row when a title stood above it.  shown: as the run summary prints them."""
    attrs = getattr(raw, "attrs", {}) or {}
    notes = {"sheets_read": attrs.get("sheets"), "sheets_skipped": attrs.get("skipped_sheets"),
             "header_row": attrs.get("header_row") if attrs.get("header_row", 1) != 1 else None}
    notes = {key: value for key, value in notes.items() if value}
    if shown:
        notes = {key: "、".join(value) if isinstance(value, list) else value for key, value in notes.items()}
    return notes


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> int:
    """The one CSV writer of every output: UTF-8 with BOM (Excel opens Chinese text cleanly),
    CRLF line ends (RFC 4180) so that a field holding a bare CR or LF is quoted and the file
    reads back with the rows it was written with, and every text value a spreadsheet would run
    as a formula written with a leading apostrophe (``linkage.cells.escape_csv_text``; this
    package's readers take it off again).  Returns the rows written."""
    data = csv_bytes(escape_csv_frame(frame), eol="\r\n")  # the text pandas' to_csv writes, by Arrow's kernels
    with open(path, "wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        handle.write(data)
    return len(frame)


def write_excel(sheets: dict[str, pd.DataFrame], path: str | os.PathLike, *, chinese_headers: bool = True,
                layout=None) -> int:
    """The one workbook writer of every output: a sheet per frame, headers in Chinese where we
    know them; every text cell typed as a string (never a formula, whatever it begins with; IDs
    keep every digit), numbers as numbers; characters a workbook cannot hold replaced by '?'.
    layout: called as ``layout(worksheet, frame)`` (the openpyxl sheet, the frame as written) for
    each sheet before the file is saved (widths, print setup, styles); without it the workbook is
    streamed (openpyxl's write-only mode, for long tables).  Returns the number of cells cleaned."""
    from openpyxl import Workbook  # start-up: openpyxl takes ~0.4 s and only the workbook writers need it
    from openpyxl.cell import WriteOnlyCell

    streamed = layout is None
    book = Workbook(write_only=streamed)
    if not streamed:
        book.remove(book.active)
    cleaned = 0
    for sheet_name, frame in sheets.items():
        sheet = book.create_sheet(excel_text(str(sheet_name))[:31])
        shown = frame.rename(columns=OUTPUT_HEADERS_ZH) if chinese_headers else frame
        columns = [shown.iloc[:, k].to_numpy(dtype=object) for k in range(shown.shape[1])]
        for r, row in enumerate([list(shown.columns)] + [list(values) for values in zip(*columns)], start=1):
            cells = []
            for value in row:
                value, dirty = _excel_value(value)
                cleaned += dirty
                cells.append(value)
            if streamed:
                for k, value in enumerate(cells):
                    if isinstance(value, str):
                        cell = WriteOnlyCell(sheet, value=None)
                        cell.value, cell.data_type = value, "s"  # assigned as a string: never a formula
                        cells[k] = cell
                sheet.append(cells)
            else:
                for k, value in enumerate(cells, start=1):
                    cell = sheet.cell(row=r, column=k)
                    cell.value = value
                    if isinstance(value, str):
                        cell.data_type = "s"  # a string, never a formula
        if not streamed:
            layout(sheet, shown)
    book.save(path)
    return cleaned


def _excel_value(value: object) -> tuple[object, int]:
    """A value as a workbook cell holds it: numbers as numbers, blanks empty, the rest text
    cleaned of characters a workbook cannot hold.  (value, 1 if cleaned else 0)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None, 0
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)), 0
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value.item() if hasattr(value, "item") else value, 0
    if isinstance(value, pd.Timestamp):
        return ("" if pd.isna(value) else str(value.date() if value == value.normalize() else value)), 0
    value = str(value)
    if has_excel_illegal(value):
        return excel_text(value)[:32767], 1
    return value[:32767], 0


def read_json_object(path: str | os.PathLike, what: str) -> dict:
    """A settings file that must hold one JSON object (the checks' options, assessment weights);
    ``what`` names it in the error ("考核权重(assessment weights)").  ConfigError otherwise."""
    from .errors import ConfigError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: 无法读取{what}(JSON); cannot read it as JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {what}应为JSON对象; it must be a JSON object")
    return data
