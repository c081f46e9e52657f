"""Reading registers (CSV in UTF-8 / UTF-8-BOM / GB18030, .xlsx, .parquet) and writing outputs.

Columns are renamed to the English names of SCHEMA.md whatever header they came under;
unknown columns are carried through; absent columns are added empty.  Every value is read
as text so that ID numbers keep their leading zeros and trailing X.
"""

from __future__ import annotations

import csv
import io
import os
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
from .errors import InputFileError, SchemaError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order; UTF-8 with or without BOM first, then GB18030 (Chinese Excel's CSV)."""

Source = "str | os.PathLike | pd.DataFrame"


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """A file as a frame of strings ('' for blanks).  Raises InputFileError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path, sep="\t" if suffix == ".tsv" else ",")
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        if suffix == ".parquet":
            return _read_parquet(path)
        raise InputFileError(f"{path}: unknown file type {suffix!r}; use .csv, .xlsx or .parquet")
    except InputFileError:
        raise
    except Exception as exc:  # the readers raise many types; name the file whatever it was
        raise InputFileError(f"{path}: cannot be read as {suffix[1:]} ({exc})") from exc


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


def _read_csv_arrow(path: Path, sep: str) -> pd.DataFrame | None:
    """The fast reader for the usual file (UTF-8, a rectangular table, distinct non-blank
    headers): pyarrow's CSV reader, every column as text.  None whenever the file is anything
    else, so the pandas reader (and its error messages) handles it."""
    try:
        with open(path, "rb") as handle:
            header = next(csv.reader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""), delimiter=sep))
        if len(set(header)) != len(header) or any(not name.strip() or name != name.strip() for name in header):
            return None
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8"),
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
    frame = table.to_pandas(self_destruct=True)  # frees each Arrow column once converted
    del table
    return frame if frame.columns.tolist() == header else None


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    fast = _read_csv_arrow(path, sep)
    if fast is not None:
        return fast
    last: Exception | None = None
    for encoding in CSV_ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=sep)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except pd.errors.ParserError as exc:
            raise InputFileError(f"{path}: not a well-formed CSV file ({exc})") from exc
    raise InputFileError(f"{path}: not UTF-8 or GB18030 text ({last})")


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
    renames: dict[object, str] = {}
    for header in frame.columns:
        english = canonical_name(header, table=table)
        if english is not None:
            if english in renames.values():
                raise SchemaError(f"{name}: two columns mean {english!r} ({layout[english]}); keep one",
                                  path=name, column=english)
            renames[header] = english
    frame = frame.copy(deep=False)  # a new frame over the same data: the caller's is never changed
    frame.columns = [renames.get(header, header) for header in frame.columns]
    frame.index = pd.RangeIndex(len(frame))  # reset_index(drop=True) without copying the data
    missing = [column for column in required if column not in frame.columns]
    if missing and len(frame):
        wanted = ", ".join(f"{c} ({layout[c]})" for c in missing)
        raise SchemaError(f"{name}: missing required column(s) {wanted}", path=name, column=missing[0])
    if not is_text:
        frame = _as_text(frame)
    for column in layout:
        if column not in frame.columns:
            frame[column] = ""
    key = "child_id" if table == "children" else "record_id"
    _check_keys(frame, key, name)
    known = [c for c in layout if c in frame.columns]
    order = known + [c for c in frame.columns if c not in layout]
    return frame if order == list(frame.columns) else frame[order]  # selecting copies every column


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as str with '' for blanks; columns already so are left as they are.
    Replaces columns of ``frame`` (a frame ``conform`` made) and returns it."""
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object or values.isna().any() or not pd.api.types.is_string_dtype(values):
            frame[column] = values.astype(object).where(values.notna(), "").astype(str)
    return frame


def _check_keys(frame: pd.DataFrame, key: str, name: str) -> None:
    keys = frame[key].str.strip()
    frame[key] = keys
    blank = keys.index[keys == ""].tolist()
    if blank:
        raise SchemaError(f"{name}: column {key!r} is blank in row(s) {_rows(blank)} (the header is row 1); every row needs one",
                          path=name, column=key, rows=[r + 2 for r in blank])
    repeated = keys.index[keys.duplicated(keep=False)].tolist()
    if repeated:
        raise SchemaError(
            f"{name}: column {key!r} repeats value(s) {sorted(set(keys[repeated]))[:5]} in row(s) "
            f"{_rows(repeated)} (the header is row 1); it must be unique", path=name, column=key, rows=[r + 2 for r in repeated])


def _rows(positions: list[int]) -> str:
    """Spreadsheet row numbers (header is row 1) of frame positions, at most ten."""
    shown = ", ".join(str(p + 2) for p in positions[:10])
    return shown + (f" and {len(positions) - 10} more" if len(positions) > 10 else "")


def load(source, *, table: str = "register", required: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A path or a DataFrame, read and conformed (see ``conform``)."""
    if isinstance(source, pd.DataFrame):
        return conform(source, table=table, required=required)
    return conform(read_table(source), name=str(source), table=table, required=required, is_text=True)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """UTF-8 with BOM, so that Excel opens Chinese text cleanly."""
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def write_excel(sheets: dict[str, pd.DataFrame], path: str | os.PathLike, *, chinese_headers: bool = True,
                layout=None) -> None:
    """One workbook, a sheet per frame, headers in Chinese where we know them.  layout: called
    as ``layout(worksheet, frame)`` (the openpyxl sheet, the frame as written) for each sheet
    before the file is saved: widths, print setup, styles."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, frame in sheets.items():
            shown = frame.rename(columns=OUTPUT_HEADERS_ZH) if chinese_headers else frame
            shown.to_excel(writer, sheet_name=sheet[:31], index=False)
            if layout is not None:
                layout(writer.sheets[sheet[:31]], shown)
