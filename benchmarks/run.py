"""Side-by-side benchmark: this engine and the tools a user would pick instead, same inputs.

    python benchmarks/run.py --suite febrl [--datasets febrl3,febrl4]
    python benchmarks/run.py --suite register --size 25000 250000 [--tools ours,splink] [--errors harsh]
    python benchmarks/run.py --suite incremental --size 250000   (benchmarks.incremental: update vs full run)
    python benchmarks/run.py --suite scale [--size 1000000 3000000 10000000] [--spark-size 250000 1000000]
        (benchmarks.scale: the command line, local and Spark local[2], with its stages and a projection)
    ... [--format table|json] [--timeout 1800] [--repeat N] [--results benchmarks/RESULTS.md]

The inputs of each case are written to disk first (``benchmarks.cases``); then every tool
runs on them in a child process of its own (``benchmarks.child``), and this process
measures that child as a whole: wall time from start to exit, and peak resident memory as
the kernel reports it for that child: its ``VmHWM`` (read by the child from
/proc/self/status as it exits; see ``benchmarks.child`` for why not ``ru_maxrss``), or
``os.wait4``'s ``ru_maxrss`` where /proc is missing or the child died.  Each row is
{suite, dataset, tool, records, candidate_pairs, pairs_completeness, reduction_ratio,
precision, recall, f1, wall_s, peak_rss_mb} (plus ``error`` when a tool failed or ran out of
time).  Rows are kept in ``results.json`` next to RESULTS.md, replacing earlier rows of the
same suite, dataset and tool, and RESULTS.md is rewritten from all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.report import write_results  # noqa: E402

TOOL_GROUPS = {"ours": ["ours", "ours-full", "ours-em", "ours-cli"], "recordlinkage": ["recordlinkage-ecm", "recordlinkage-logreg"],
               "splink": ["splink"]}
"""--tools names: each group's tools ('ours-em' runs on the FEBRL suite only, 'ours-full' on the
register dedupe only, and so is 'ours-cli', the command line from the CSV to every output)."""
SCALE_KEYS = ("stages", "units", "shuffle_bytes", "tree_rss_mb", "tree_cpu_s")
"""What a scale row carries beyond COLUMNS (benchmarks.scale)."""
COLUMNS = ("suite", "dataset", "tool", "records", "candidate_pairs", "pairs_completeness", "reduction_ratio",
           "precision", "recall", "f1", "wall_s", "cpu_s", "peak_rss_mb")


def run_child(tool: str, case_folder: Path, *, timeout: float, log: Path) -> dict:
    """Run one tool on one case in a child process; its result plus wall_s and peak_rss_mb."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, "-m", "benchmarks.child", tool, str(case_folder), str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with open(log, "ab") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
        status, usage, timed_out = _wait(child.pid, timeout)
        wall = time.perf_counter() - start
    child.returncode = status
    try:
        result = json.loads(out.read_text(encoding="utf-8") or "{}")
    except (OSError, json.JSONDecodeError):
        result = {}
    out.unlink(missing_ok=True)
    if timed_out:
        result = {"error": f"timeout after {timeout:.0f} s"}
    elif not result:
        result = {"error": f"child exited with status {status} and no result (see {log})"}
    peak = result.pop("vm_hwm_mb", None)
    # CPU seconds (user + system) of the child: what it cost on a machine others share, where wall time
    # is also how long it waited for a core
    result.update(wall_s=round(wall, 2), cpu_s=round(usage.ru_utime + usage.ru_stime, 2), peak_rss_mb=peak if peak is not None else round(usage.ru_maxrss / 1024, 1))
    return result


def _wait(pid: int, timeout: float):
    """Wait for the child (killing it after ``timeout`` seconds); (status, rusage, timed_out)."""
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, True
        time.sleep(0.05)


def applies(tool: str, meta: dict) -> bool:
    """Whether ``tool`` runs on a case: 'ours-em' is the unsupervised generic model (FEBRL; the
    register runs its shipped default model), 'ours-full' the register dedupe with managing units."""
    if tool == "ours-em":
        return meta["suite"] == "febrl"
    if tool in ("ours-full", "ours-cli"):
        return meta["suite"] == "register" and meta["kind"] == "dedupe"
    return True


def combine(results: list[dict]) -> dict:
    """One result from repeated runs of a tool: the first run's accuracy, the median wall time
    (with every run's in ``wall_runs``), the largest peak memory; an error if any run failed."""
    failed = next((r for r in results if r.get("error")), None)
    if failed is not None or len(results) == 1:
        return dict(failed or results[0])
    walls = sorted(r["wall_s"] for r in results)
    return {**results[0], "wall_s": round(float(np.median(walls)), 2), "wall_runs": [r["wall_s"] for r in results],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            **({"cpu_s": round(float(np.median([r["cpu_s"] for r in results])), 2)} if "cpu_s" in results[0] else {})}


def build_cases(suite: str, sizes: list[int], datasets: list[str] | None, work: Path, reuse: bool = False,
                errors: str = "usual"):
    from benchmarks.cases import febrl_cases, register_cases

    if suite == "febrl":
        return febrl_cases(work / "febrl", tuple(datasets or ("febrl1", "febrl2", "febrl3", "febrl4")))
    cases = []
    for size in sizes:
        cases += register_cases(work / "register", size, reuse=reuse, errors=errors)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=("febrl", "register", "incremental", "scale"), required=True)
    parser.add_argument("--size", type=int, nargs="+", default=None,
                        help="register sizes (register suite: default 25000; scale suite: the local command line's, "
                        "default 1M 3M 10M)")
    parser.add_argument("--spark-size", type=int, nargs="*", default=None,
                        help="scale suite: sizes of the Spark local[2] command line (default 250k 1M; none to skip)")
    parser.add_argument("--datasets", default="", help="comma-separated FEBRL data sets (default: all four)")
    parser.add_argument("--tools", default="ours,recordlinkage,splink")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per tool and case")
    parser.add_argument("--reuse", action="store_true", help="reuse register case folders already written")
    parser.add_argument("--errors", default="usual",
                        help="the generator's error model for the register suite: usual, other_clerks, harsh, "
                        "or a mix such as usual=2,harsh=1")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run every tool N times per case, in rounds (each round runs every tool once, so "
                        "a machine that drifts slows all tools alike); wall_s is the median, peak_rss_mb the largest")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "RESULTS.md",
                        help="RESULTS.md to rewrite ('-' to write none)")
    args = parser.parse_args(argv)
    if args.suite == "scale":
        return run_scale(args)
    args.size = args.size or [25_000]
    if args.suite == "incremental":  # its own measure: an update against a full run (benchmarks.incremental)
        from benchmarks.incremental import main as incremental

        return incremental(["--size", *map(str, args.size), "--work", str(args.work / "incremental")])
    tools = [t for group in args.tools.split(",") if group for t in TOOL_GROUPS.get(group.strip(), [group.strip()])]
    args.work.mkdir(parents=True, exist_ok=True)
    log = args.work / "children.log"
    rows = []
    for case in build_cases(args.suite, args.size, [d for d in args.datasets.split(",") if d], args.work,
                            args.reuse, args.errors):
        meta = case.meta
        runnable = [tool for tool in tools if applies(tool, meta)]
        runs: dict[str, list[dict]] = {tool: [] for tool in runnable}
        if "ours-cli" in runnable:
            from benchmarks.ours import ensure_csv

            ensure_csv(case.folder)
        for _ in range(max(args.repeat, 1)):
            for tool in runnable:
                runs[tool].append(run_child(tool, case.folder, timeout=args.timeout, log=log))
        for tool in runnable:
            result = combine(runs[tool])
            row = {"suite": meta["suite"], "dataset": meta["dataset"], "tool": tool, "records": meta["records"],
                   **{k: result.get(k) for k in COLUMNS[4:]}}
            for key in ("error", "wall_runs"):
                if key in result:
                    row[key] = result[key]
            _add(rows, row, args)
    return _finish(rows, args)


def run_scale(args: argparse.Namespace) -> int:
    """The scale suite (``benchmarks.scale``): each case once per engine that runs at its size."""
    from benchmarks import scale

    sizes = {"cli-local": set(args.size or scale.LOCAL_SIZES),
             "cli-spark": set(scale.SPARK_SIZES if args.spark_size is None else args.spark_size)}
    args.work.mkdir(parents=True, exist_ok=True)
    log = args.work / "children.log"
    rows = []
    for size in sorted(set().union(*sizes.values())):
        case = scale.scale_case(args.work / "scale", size, reuse=args.reuse)
        for tool in [t for t in scale.TOOLS if scale.applies(t, case.meta, sizes)]:
            result = combine([run_child(tool, case.folder, timeout=args.timeout, log=log)
                              for _ in range(max(args.repeat, 1))])
            if result.get("tree_rss_mb") and tool == "cli-spark":  # the JVM and the workers are processes of their own
                result["peak_rss_mb"] = max(result["peak_rss_mb"] or 0, result["tree_rss_mb"])
                result["cpu_s"] = max(result["cpu_s"] or 0, result.get("tree_cpu_s") or 0)
            row = {"suite": "scale", "dataset": case.meta["dataset"], "tool": tool, "records": case.meta["records"],
                   **{k: result.get(k) for k in COLUMNS[4:]}, **{k: result[k] for k in SCALE_KEYS if k in result}}
            if "error" in result:
                row["error"] = result["error"]
            _add(rows, row, args)
    return _finish(rows, args)


def _add(rows: list[dict], row: dict, args: argparse.Namespace) -> None:
    """Keep ``row``, printing it at once under ``--format table``."""
    rows.append(row)
    if args.format == "table":
        print(format_table([row], header=len(rows) == 1), flush=True)


def _finish(rows: list[dict], args: argparse.Namespace) -> int:
    """The suite's end: the rows as JSON under ``--format json``, and RESULTS.md rewritten with them."""
    if args.format == "json":
        print(json.dumps(rows, indent=1))
    if str(args.results) != "-":
        write_results(rows, args.results)
    return 0


def format_table(rows: list[dict], *, header: bool = True) -> str:
    """Fixed-width text table of result rows."""
    widths = (10, 26, 22, 11, 12, 8, 8, 8, 8, 8, 9, 9, 9)
    titles = ("suite", "dataset", "tool", "records", "cand.pairs", "PC", "RR", "P", "R", "F1", "wall_s", "cpu_s",
              "RSS_MB")
    lines = ["".join(t.ljust(w) if i < 3 else t.rjust(w) for i, (t, w) in enumerate(zip(titles, widths)))] if header \
        else []
    for row in rows:
        cells = []
        for i, (key, width) in enumerate(zip(COLUMNS, widths)):
            value = row.get(key)
            if value is None:
                text = "-"
            elif key in ("pairs_completeness", "reduction_ratio", "precision", "recall", "f1"):
                text = f"{value:.4f}"
            elif isinstance(value, float):
                text = f"{value:.1f}"
            elif isinstance(value, int):
                text = f"{value:,}"
            else:
                text = str(value)
            cells.append(text.ljust(width) if i < 3 else text.rjust(width))
        line = "".join(cells)
        lines.append(line + (f"  ERROR {row['error']}" if row.get("error") else ""))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
