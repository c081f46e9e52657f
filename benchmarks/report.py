"""RESULTS.md: the benchmark table, how it was measured, the machine, and the bars.

Rows are kept in ``results.json`` beside RESULTS.md; a new run replaces the rows of the same
(suite, dataset, tool) and the Markdown is rewritten from all rows, so the FEBRL, register and
scale suites can be run separately and still end up in one report: the scale suite's rows make
a section of their own (``benchmarks.scale.section``), and the hand-measured section under
SCALE_HEADING is carried over as it is.
"""

from __future__ import annotations

import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path

PACKAGES = ("numpy", "pandas", "rapidfuzz", "scikit-learn", "networkx", "pyarrow", "recordlinkage", "splink", "duckdb")
HEADER = ("suite", "dataset", "tool", "records", "candidate pairs", "pairs completeness", "reduction ratio",
          "precision", "recall", "F1", "wall s", "CPU s", "peak RSS MB")
KEYS = ("suite", "dataset", "tool", "records", "candidate_pairs", "pairs_completeness", "reduction_ratio",
        "precision", "recall", "f1", "wall_s", "cpu_s", "peak_rss_mb")

SCALE_HEADING = "## Scale (issue 16)"
"""RESULTS.md keeps its scale section (measured by hand with /usr/bin/time -v) when rewritten."""

METHOD = """\
## How it is measured

- Every tool runs on the same inputs, written to disk before any tool starts
  (`benchmarks/cases.py`), each in a child process of its own (`benchmarks/child.py`).
  **wall s** is that process from start to exit (interpreter start, imports, reading the
  input, training, blocking, scoring, clustering); **peak RSS MB** is the child's peak
  resident memory as the kernel keeps it (`VmHWM` of /proc/self/status, read as the child
  exits; not `ru_maxrss`, which Linux floors at the parent's peak across fork and exec).
  With `--repeat N` every tool runs N times, in rounds (each round runs every tool once, so
  a machine that slows down slows every tool alike): **wall s** is then the median run and
  **peak RSS MB** the largest; each run's time is kept in results.json (`wall_runs`).
- **precision / recall / F1 are pairwise over the final clusters**: the predicted pairs are
  all pairs of records inside one predicted cluster, the true pairs all pairs of records of
  one true person; for a link only cross pairs (one record from each table) count.  Tools
  that return matched pairs rather than clusters (recordlinkage) are clustered by the
  connected components of their matches.
- **candidate pairs** are the pairs the tool scored after blocking; **pairs completeness** is
  the share of true pairs among them, **reduction ratio** 1 − candidates / all possible pairs.
- Anchors are configured as their own documentation recommends (`benchmarks/anchors/`):
  recordlinkage (Block + SortedNeighbourhood, thresholded Jaro-Winkler/Levenshtein, exact
  and date comparisons; ECM unsupervised, and LogisticRegression trained on labelled pairs
  of *other* data), Splink 5 on DuckDB (blocking rules, u by random sampling, m by EM,
  predict, `cluster_pairwise_predictions_at_threshold`).
- FEBRL: febrl1–3 are deduplicated and febrl4 is linked; this engine runs them through the
  generic field profile (`linkage.generic.FEBRL`) with a model fitted on the *other* FEBRL
  sets (febrl1+2 for febrl3, febrl1–3 for febrl4), as a user with labels would; **ours-em**
  is the same profile with no labels at all: a Fellegi-Sunter model fitted by EM on the
  evaluated data (`linkage.generic.fit_unsupervised`), the counterpart of ECM and Splink.
- Register: the generator's Chinese register (seed 20260, not one the default model was
  trained on), deduplicated; and the same register linked to a shared-platform extract.
  This engine uses its default profile and shipped default model, no tuning per run, and
  reads the case's parquet file itself (the anchors get it from pandas).  **ours** does the
  anchors' job: find the duplicates and cluster them (`linkage.dedupe(..., decide=False)`,
  `linkage dedupe --no-decide`).  **ours-full** is the office's whole run on the same
  register: the same clusters, then every duplicated woman's managing unit decided and the
  notices and the verification list drafted (writing files is not timed for any tool).
"""


def machine() -> dict[str, str]:
    """CPU model, cores, memory, Python and package versions, date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
        memory = f"{kb / 1024 ** 2:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = []
    for package in PACKAGES:
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": memory,
            "python": platform.python_version(), "os": platform.platform(), "packages": ", ".join(versions),
            "code": code_version(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def code_version() -> str:
    """The commit the engine ran from: $BENCHMARK_COMMIT (set when running from an exported
    copy), else ``git rev-parse`` of this checkout, marked when the tree has local changes."""
    if os.environ.get("BENCHMARK_COMMIT"):
        return os.environ["BENCHMARK_COMMIT"]
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              check=True).stdout.strip()
        # the report's own files do not count: a run that follows another in one session finds them rewritten
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":!benchmarks/RESULTS.md", ":!benchmarks/results.json"], cwd=repo,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes" if dirty else "")


def _cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key in ("pairs_completeness", "reduction_ratio", "precision", "recall", "f1"):
        return f"{value:.4f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        cells = [_cell(k, row.get(k)) for k in KEYS]
        if row.get("error"):
            cells[9] = f"failed: {row['error']}"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bars(rows: list[dict]) -> list[str]:
    """The issue's bars, each with the measured numbers and whether it is met."""
    ours = {r["dataset"]: r for r in rows if r["tool"] == "ours" and not r.get("error")}
    lines = []

    def check(label: str, ok: bool | None, detail: str) -> None:
        mark = "not run" if ok is None else ("met" if ok else "NOT met")
        lines.append(f"- {label}: **{mark}** ({detail})")

    for dataset, floor in (("febrl3", 0.995), ("febrl4", 0.998)):
        row = ours.get(dataset)
        check(f"FEBRL {dataset} F1 ≥ {floor}", None if row is None else row["f1"] >= floor,
              "–" if row is None else f"F1 {row['f1']:.4f}")
    for dataset, row in sorted(ours.items(), key=lambda item: _size_key(item[0])):
        if row["suite"] != "register" or not dataset.endswith("dedupe"):
            continue
        check(f"{dataset} F1 ≥ 0.98", row["f1"] >= 0.98, f"F1 {row['f1']:.4f}")
        anchors = [r for r in rows if r["dataset"] == dataset and not r["tool"].startswith("ours") and not r.get("error")]
        if anchors:
            fastest = min(anchors, key=lambda r: r["wall_s"])
            detail = (f"{row['wall_s']:.1f} s vs {fastest['tool']} {fastest['wall_s']:.1f} s: "
                      f"{fastest['wall_s'] / row['wall_s']:.1f}×")
            if "250k" in dataset:
                check(f"{dataset}: ≥ 5× faster than the faster anchor", fastest["wall_s"] >= 5 * row["wall_s"],
                      detail)
            else:
                lines.append(f"- {dataset}: speed against the faster anchor (no bar): {detail}")
            full = next((r for r in rows if r["dataset"] == dataset and r["tool"] == "ours-full"
                         and not r.get("error")), None)
            if full:
                lines.append(f"- {dataset}, ours-full (also managing units and notices, which no anchor does): "
                             f"{full['wall_s']:.1f} s, {fastest['wall_s'] / full['wall_s']:.1f}× the faster anchor")
        cli = next((r for r in rows if r["dataset"] == dataset and r["tool"] == "ours-cli" and not r.get("error")), None)
        if cli:
            detail = f"{cli['wall_s']:.1f} s wall, {cli.get('cpu_s') or 0:.1f} s CPU, {cli['peak_rss_mb']:.0f} MB"
            limit = 8.0 if "250k" in dataset else 30.0 if "1.2M" in dataset else None
            if limit is None:
                lines.append(f"- {dataset}, ours-cli (the command line, CSV to every output): {detail}")
            else:
                check(f"{dataset}, the command line from the CSV to every output ≤ {limit:.0f} s (issue 16)",
                      cli["wall_s"] <= limit, detail)
        if "1M" in dataset:
            for run in [row] + [r for r in rows if r["dataset"] == dataset and r["tool"] == "ours-full"
                                and not r.get("error")]:
                check(f"1M end to end ≤ 120 s and ≤ 4 GB peak RSS ({run['tool']})",
                      run["wall_s"] <= 120 and run["peak_rss_mb"] <= 4096,
                      f"{run['wall_s']:.1f} s, {run['peak_rss_mb']:.0f} MB")
    return lines


def write_results(new_rows: list[dict], path: Path) -> None:
    """Merge ``new_rows`` into results.json beside ``path`` and rewrite the Markdown at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = path.with_name("results.json")
    rows = json.loads(store.read_text(encoding="utf-8")) if store.exists() else []
    code, day = code_version(), time.strftime("%Y-%m-%d")
    new_rows = [{**row, "code": code, "date": day} for row in new_rows]
    replaced = {(r["suite"], r["dataset"], r["tool"]) for r in new_rows}
    rows = [r for r in rows if (r["suite"], r["dataset"], r["tool"]) not in replaced] + list(new_rows)
    rows.sort(key=lambda r: (r["suite"], _size_key(r["dataset"]), r["dataset"], r["tool"] != "ours", r["tool"]))
    store.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    info = machine()
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    scale = old[old.index(SCALE_HEADING):].rstrip("\n") + "\n" if SCALE_HEADING in old else ""
    from benchmarks.scale import section  # the scale suite's own section, from its rows

    suite, everything = section(rows), rows
    rows = [r for r in rows if r["suite"] != "scale"]  # the side-by-side table: the suites with anchors
    text = ["# Benchmark results", "",
            "Written by `python benchmarks/run.py` (do not edit by hand; rerun it).", "",
            table(rows), "", "## Bars (issue 3)", "", *bars(rows), "", METHOD, *([suite] if suite else []),
            "## Machine and code", "", *[f"- {k}: {v}" for k, v in info.items() if k not in ("code", "date")],
            *[f"- rows run on {day} from commit {code}: {', '.join(sorted(sets))}"
              for (code, day), sets in _runs(everything).items()],
            f"- report written {info['date']}", ""]
    path.write_text("\n".join(text) + ("\n" + scale if scale else ""), encoding="utf-8")


def _runs(rows: list[dict]) -> dict[tuple[str, str], set[str]]:
    """Which data sets were run from which commit on which day."""
    runs: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        runs.setdefault((row.get("code", "unknown"), row.get("date", "?")), set()).add(row["dataset"])
    return runs


def _size_key(dataset: str) -> int:
    """Order register data sets by size ('register-25k dedupe' < 'register-250k ...' < '1M')."""
    token = dataset.split()[0].rsplit("-", 1)[-1]
    scale = {"k": 1_000, "M": 1_000_000}.get(token[-1:], 1)
    digits = token[:-1] if token[-1:] in ("k", "M") else token
    return int(digits) * scale if digits.isdigit() else 0
