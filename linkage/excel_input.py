"""Reading a workbook register: every sheet, every row, said plainly.

* Each sheet's header is looked for in its first ``HEADER_SEARCH_ROWS`` rows (a title row such
  as 某某区育龄妇女信息表 above it is skipped): the row with the most known column names
  (``linkage.columns``), at least two.  The sheets with such a header are read and joined in
  workbook order (a register split over streets' sheets); the others (a cover sheet, notes)
  are named as skipped.  A workbook with no such sheet is read from its one non-empty sheet
  (a table of another layout, read by a profile of its own) or is an error naming the sheets.
* Merged cells (an office merges a unit code over its records) are filled from their anchor,
  and each filled cell is listed so the reader can flag it.
* Cells are read as text as pandas reads them (whole floats as integers); which cells were
  numbers is kept per column, so that an ID column stored as numbers (digits already lost)
  is one file-level error, not thousands of row flags.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from .columns import canonical_name

HEADER_SEARCH_ROWS = 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r"([A-Z]+)([0-9]+)")


@dataclass
class SheetTable:
    """One sheet's table: ``frame`` (str, '' blank) under its header; ``rows`` the sheet row of
    each frame row (1-based); ``numeric`` column -> bool (n,) cells that were numbers;
    ``merged`` (frame position, column) of cells filled from a merge anchor."""

    name: str
    frame: pd.DataFrame
    header_row: int
    rows: np.ndarray
    numeric: dict[str, np.ndarray] = field(default_factory=dict)
    merged: list[tuple[int, str]] = field(default_factory=list)


def known_names(values: list[Any], table: str) -> int:
    """How many of a row's cells are known column names of ``table``."""
    return sum(canonical_name(v, table=table) is not None for v in values if v is not None and str(v).strip())


def header_position(rows: list[list[Any]], table: str) -> int | None:
    """Index in ``rows`` (the first rows of a sheet or file) of the header: the row with the
    most known names, at least two; None when no row has two.  Only rows up to the first one
    with three or more filled cells are candidates: a title or note above a header fills one or
    two cells, and a data row below the header (a value that happens to read '身份证号') is never
    taken for it."""
    candidates = rows[:HEADER_SEARCH_ROWS]
    for index, row in enumerate(candidates):
        if sum(bool(_cell_text(cell).strip()) for cell in row) >= 3:
            candidates = candidates[:index + 1]
            break
    counts = [known_names(row, table) for row in candidates]
    if not counts or max(counts) < 2:
        return None
    return int(np.argmax(counts))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return str(value).upper()
    return str(value)


def _merges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name -> merged ranges (first row, first column, last row, last column), 1-based,
    read from the workbook's XML (openpyxl's fast reader does not give them)."""
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(path) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{_RELS}Relationship")}
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(_OFFICE_REL), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            try:
                xml = book.read(part).decode("utf-8", "replace")
            except KeyError:
                continue
            ranges = []
            for ref in re.findall(r'<mergeCell[^>]*ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', xml):
                (c1, r1), (c2, r2) = (_CELL.match(part).groups() for part in ref.split(":"))
                ranges.append((int(r1), _column_number(c1), int(r2), _column_number(c2)))
            if ranges:
                out[sheet.get("name")] = ranges
    return out


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def read_sheets(path: Path, table: str = "register") -> tuple[list[SheetTable], list[str], list[str], bool]:
    """The sheets of a workbook that hold a table: (tables, skipped sheet names, all sheet names,
    whether any sheet holds anything).
    Blank rows are dropped; merged cells filled from their anchor."""
    from openpyxl import load_workbook  # start-up: only workbook input needs openpyxl

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        grids = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()
    merges = _merges(path) if any(grids.values()) else {}
    found, skipped, fallback = [], [], []
    for name, grid in grids.items():
        for first, col1, last, col2 in merges.get(name, []):
            anchor = grid[first - 1][col1 - 1] if first - 1 < len(grid) and col1 - 1 < len(grid[first - 1]) else None
            for r in range(first - 1, min(last, len(grid))):
                row = grid[r]
                row.extend([None] * (col2 - len(row)))
                for c in range(col1 - 1, col2):
                    if (r, c) != (first - 1, col1 - 1):
                        row[c] = ("\0merged", anchor)
        header = header_position(grid, table)
        if header is None:
            skipped.append(name)
            if any(any(v is not None and str(v).strip() for v in row) for row in grid):
                fallback.append(name)
            continue
        found.append(_sheet_table(name, grid, header))
    if not found and fallback and (len(fallback) == 1 or table == "other"):
        name = fallback[0]  # a table of no known layout (judged pairs, a clerk's list): its first filled sheet
        skipped.remove(name)
        grid = grids[name]
        first = next(i for i, row in enumerate(grid) if any(v is not None and str(v).strip() for v in row))
        found.append(_sheet_table(name, grid, first))
    return found, skipped, list(grids), bool(fallback or found)


def _sheet_table(name: str, grid: list[list[Any]], header: int) -> SheetTable:
    """The table under row ``header`` (0-based) of a sheet's cells."""
    heads = [_cell_text(v).strip() for v in grid[header]]
    while heads and not heads[-1]:
        heads.pop()
    heads = [h or f"Unnamed: {k}" for k, h in enumerate(heads)]
    width = len(heads)
    body = [row[:width] + [None] * (width - len(row)) for row in grid[header + 1:]]
    merged_at = [[isinstance(v, tuple) and len(v) == 2 and v[0] == "\0merged" for v in row] for row in body]
    values = [[v[1] if m else v for v, m in zip(row, marks)] for row, marks in zip(body, merged_at)]
    keep = [k for k, row in enumerate(values) if any(v is not None and str(v).strip() for v in row)]
    values = [values[k] for k in keep]
    merged_at = [merged_at[k] for k in keep]
    sheet_rows = np.array(keep, dtype=np.int64) + header + 2
    numeric = {h: np.array([isinstance(row[c], (int, float)) and not isinstance(row[c], bool) for row in values],
                           dtype=bool) for c, h in enumerate(heads)}
    frame = pd.DataFrame([[_cell_text(v) for v in row] for row in values], columns=heads, dtype=object) \
        if values else pd.DataFrame(columns=heads, dtype=object)
    merged = [(r, heads[c]) for r, marks in enumerate(merged_at) for c, m in enumerate(marks) if m]
    return SheetTable(name=name, frame=frame, header_row=header + 1, rows=sheet_rows, numeric=numeric, merged=merged)
