"""The workbooks a clerk prints, checked as printed: LibreOffice (headless) renders each to PDF,
poppler reads the pages back (pdfinfo: count and orientation; pdftotext -bbox: every word and
where it sits).  A cell whose text does not fit is cut (characters missing from the page) or
spills over its neighbours (words drawn over words): both are caught.  A control run with rows
too short for their text proves the check sees it."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import resolve.sheets

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                reason="needs LibreOffice (libreoffice-calc) and poppler-utils; .ci/run installs them")


def to_pdf(paths: list[Path], folder: Path) -> list[Path]:
    """PDFs of ``paths``, rendered by LibreOffice headless in one call."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder / 'profile'}", "--convert-to",
                    "pdf", "--outdir", str(folder), *map(str, paths)], check=True, capture_output=True, timeout=300)
    pdfs = [folder / (p.stem + ".pdf") for p in paths]
    assert all(p.is_file() for p in pdfs), pdfs
    return pdfs


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """Every word on the pages: (page, x0, y0, x1, y1, text)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    found, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        hit = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if hit:
            found.append((page, *map(float, hit.groups()[:4]), hit.group(5)))
    return found


def cell_text(workbook: Path) -> str:
    """Every printed cell's text of the workbook, as one string."""
    book = load_workbook(workbook)
    return "".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                   if c.value is not None)


def print_problems(workbook: Path, pdf: Path) -> list[str]:
    """What a printed page loses or garbles: characters of the cells missing from the pages
    (text cut at a cell's edge) and words drawn over other words (text spilling out of its cell)."""
    unescape = lambda t: t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')  # noqa: E731
    placed = words(pdf)
    printed = Counter(ch for *_, text in placed for ch in unescape(text))
    wanted = Counter(ch for ch in cell_text(workbook) if not ch.isspace())
    problems = [f"{ch!r}: {n} in the cells, {printed[ch]} on the pages" for ch, n in wanted.items() if printed[ch] < n]
    by_page: dict[int, list] = {}
    for page, x0, y0, x1, y1, text in placed:
        by_page.setdefault(page, []).append((x0, y0, x1, y1, text))
    for page, boxes in by_page.items():
        boxes.sort()
        for i, (x0, y0, x1, y1, text) in enumerate(boxes):
            for a0, b0, a1, b1, other in boxes[i + 1:]:
                if a0 >= x1:
                    break
                overlap_x, overlap_y = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
                if overlap_x > 1 and overlap_y > 0.3 * min(y1 - y0, b1 - b0):
                    problems.append(f"page {page}: {text!r} drawn over {other!r}")
    return problems


@pytest.fixture(scope="module")
def run(sample_audit):
    """The newcomer's audit of the sample register, children table and extract (``conftest``)."""
    return sample_audit


def _grouped_unit(notices: pd.DataFrame) -> str:
    """A receiving unit with a notice of several records and the most notices."""
    several = notices[notices["notice_id"].duplicated(keep=False)]
    units = several["to_unit_code"] if len(several) else notices["to_unit_code"]
    return notices[notices["to_unit_code"].isin(units)]["to_unit_code"].value_counts().index[0]


def test_printable_notices_print_one_form_a_page_and_nothing_is_cut(run, tmp_path):
    out, result = run
    notices = result.dedupe.notices
    unit = _grouped_unit(notices)
    workbook = out / "printable" / f"{unit}.xlsx"
    pdf, = to_pdf([workbook], tmp_path)
    sizes = page_sizes(pdf)
    portrait = [w < h for w, h in sizes]
    n_forms = notices.loc[notices["to_unit_code"] == unit, "notice_id"].nunique()
    # each notice on one A4 portrait page, then the list sheets landscape (fitted to the width)
    assert portrait[:n_forms] == [True] * n_forms and not any(portrait[n_forms:]) and len(sizes) > n_forms
    assert all(abs(min(w, h) - 595.3) < 2 and abs(max(w, h) - 841.9) < 2 for w, h in sizes)  # A4
    assert print_problems(workbook, pdf) == []
    text = "".join(w[-1] for w in words(pdf))
    for needed in ("经办人(签字):", "审核人(签字):", "(单位盖章)"):
        assert text.count(needed) == n_forms, needed


def test_summary_prints_table_chart_and_rules_each_within_its_pages(run, tmp_path):
    out, _ = run
    pdfs = to_pdf([out / "summary.xlsx", out / "办理清单.xlsx"], tmp_path)
    sizes = page_sizes(pdfs[0])
    assert len(sizes) == 3 and sizes[0][0] > sizes[0][1] and sizes[1][0] > sizes[1][1]  # table, chart: landscape
    placed = words(pdfs[0])
    first = "".join(w[-1] for w in placed if w[0] == 1)
    assert "330106浙江省杭州市西湖区" in first and "截至2026-11-30" in first and "合计" in first
    assert "各街道清查问题" in "".join(w[-1] for w in placed if w[0] == 2)  # the chart's own page
    assert print_problems(out / "summary.xlsx", pdfs[0]) == []
    assert not re.search(r"[a-z]{4,}", first)  # no English codes (street, district, rule names)
    ids = pd.read_csv(out / "notices.csv", dtype=str, encoding="utf-8-sig")["record_id_number"].dropna()
    listed = "".join(w[-1] for w in words(pdfs[1]))
    assert all(number in listed for number in ids.head(20))  # every digit of an ID number printed as typed


def test_the_check_sees_rows_too_short_for_their_text(run, tmp_path, monkeypatch):
    _, result = run
    notices = result.dedupe.notices
    unit = _grouped_unit(notices)
    monkeypatch.setattr(resolve.sheets, "LINE_HEIGHT", 4.0)  # rows a quarter of the height their text needs
    folder = tmp_path / "short"
    resolve.write_documents(notices[notices["to_unit_code"] == unit], result.dedupe.verification.iloc[:0], folder)
    workbook = folder / f"{unit}.xlsx"
    pdf, = to_pdf([workbook], tmp_path / "pdf")
    assert print_problems(workbook, pdf)


def test_libreoffice_reads_every_id_number_and_code_of_the_work_list_as_typed(run, tmp_path):
    out, _ = run
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--convert-to",
                    'csv:Text - txt - csv (StarCalc):44,34,76', "--outdir", str(tmp_path), str(out / "办理清单.xlsx")],
                   check=True, capture_output=True, timeout=300)
    seen = pd.read_csv(tmp_path / "办理清单.csv", dtype=str, keep_default_na=False)  # the first sheet, as LibreOffice read it
    notices = pd.read_csv(out / "notices.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(seen) == len(notices)
    for header, column in (("身份证号", "record_id_number"), ("保留记录身份证号", "kept_id_number"),
                           ("接收单位代码", "to_unit_code"), ("所在单位代码", "record_unit_code")):
        assert seen[header].tolist() == notices[column].tolist(), header  # no 3.30112200707017E+017, no lost zero
