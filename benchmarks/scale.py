"""The scale suite: the office's whole command line at sizes beyond the register suite's, and a
projection to registers no single run here can reach.

    python benchmarks/run.py --suite scale [--size 1000000 3000000 10000000] [--spark-size 250000 1000000]

Cases: the generator's register of each size (dedupe only, no extract and no training table:
the command line runs the shipped model), as left.parquet and the left.csv an office exports.
Tools, each the whole ``linkage dedupe left.csv -o OUT`` in a child process of its own
(``benchmarks.child``), scored against the generator's truth from clusters.csv:

- ``cli-local``: this machine's engine, at ``--size``;
- ``cli-spark``: ``--engine spark --master local[2]``, at ``--spark-size``.  The JVM and Spark's
  Python workers are processes of their own: the child samples its process tree (``TreeSampler``)
  for their resident memory (peak of the sum) and CPU, and Spark's event log gives the bytes
  shuffled (``shuffle_bytes``).

Each row carries the run's stages (``LINKAGE_TIMINGS``, ``linkage.cli.save_timings``): [name,
wall s, driver CPU s], and its ``units`` (records, candidate pairs) from the state it wrote.
``projection`` turns the Spark rows into a model of a run on a cluster (see its docstring), and
``section`` is this suite's part of RESULTS.md (``benchmarks.report`` keeps the other suites').
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.cases import Case, _entity_codes, _persons, _size_label, write_case
from benchmarks.output import ToolOutput

SCALE_SEED = 20261
LOCAL_SIZES = (1_000_000, 3_000_000, 10_000_000)
SPARK_SIZES = (250_000, 1_000_000)
TOOLS = ("cli-local", "cli-spark")
STAGES = ("read", "normalise", "block", "score", "cluster", "gather", "decide", "notices", "write")
"""The stages a row's timings are summed into (``stage_of``)."""
DRIVER_STAGES = ("gather", "decide", "notices", "write")
"""Spark stages that run on the driver alone (tables gathered, decisions, files): executors do not
shorten them."""
PROJECT_TO = (25_000_000, 300_000_000)
EXECUTORS = (10, 50, 200)
CORES_PER_EXECUTOR = 4
SECTION_HEADING = "## Scale suite (benchmarks/run.py --suite scale)"


def scale_case(root: Path, size: int, *, seed: int = SCALE_SEED, reuse: bool = False) -> Case:
    """The case folder of a ``size``-record register (dedupe, left.parquet and left.csv)."""
    from benchmarks.generator import generate_register
    from benchmarks.ours import ensure_csv

    folder = root / f"scale-{_size_label(size)}"
    if reuse and (folder / "meta.json").exists() and Case(folder).meta.get("seed") == seed:
        return Case(folder)
    g = generate_register(size, seed=seed)
    [truth] = _entity_codes(_persons(g.register, g.truth))
    case = write_case(folder, suite="scale", dataset=f"scale-{_size_label(size)} dedupe", left=g.register,
                      truth_left=truth, seed=seed)
    ensure_csv(case.folder)
    return case


def applies(tool: str, meta: dict, sizes: dict[str, set[int]]) -> bool:
    """Whether ``tool`` runs on a scale case: at the sizes given for its engine."""
    return meta["records"] in sizes.get(tool, set())


# the child's side ------------------------------------------------------------------------------

def run_cli(case: Case, *, engine: str = "local") -> ToolOutput:
    """``linkage dedupe left.csv -o OUT`` in this process (``engine`` local or spark on local[2]),
    its stages and units in ``ToolOutput.extra``."""
    from linkage.cli import TIMINGS_VARIABLE, main

    source = case.folder / "left.csv"
    with tempfile.TemporaryDirectory() as work:
        out, timings, events = Path(work) / "out", Path(work) / "timings.json", Path(work) / "events"
        os.environ[TIMINGS_VARIABLE] = str(timings)
        command = ["dedupe", str(source), "-o", str(out), "--quiet", "--lang", "en"]
        if engine == "spark":
            events.mkdir()
            os.environ["PYSPARK_SUBMIT_ARGS"] = (  # one plain JSON-lines event log (Spark 4 rolls and compresses)
                f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://{events} "
                "--conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false pyspark-shell")
            command += ["--engine", "spark", "--master", "local[2]"]
        sampler = TreeSampler().start()
        try:
            if main(command) != 0:
                raise RuntimeError(f"linkage dedupe {source} ({engine}) failed")
            if engine == "spark":
                from pyspark.sql import SparkSession

                active = SparkSession.getActiveSession()
                if active is not None:
                    active.stop()  # the event log is complete once the application ends
        finally:
            sampler.stop()
        clusters = pd.read_csv(out / "clusters.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        state = json.loads((out / "state" / "state.json").read_text(encoding="utf-8"))
        extra = {"stages": json.loads(timings.read_text(encoding="utf-8"))["stages"],
                 "units": {"records": int(state["records"]), "pairs": int(state["pairs"])},
                 "candidate_pairs": int(state["pairs"]), **sampler.figures()}
        if engine == "spark":
            extra["shuffle_bytes"] = shuffle_bytes(events)
    ids = pd.Index(pd.read_parquet(case.folder / "left.parquet", columns=["record_id"])["record_id"].astype(str))
    labels = pd.factorize(clusters["cluster_id"])[0].astype(np.int64)
    return ToolOutput(np.zeros((0, 2), dtype=np.int64), labels[pd.Index(clusters["record_id"]).get_indexer(ids)],
                      extra=extra)


class TreeSampler:
    """Samples this process's descendants (the JVM, Spark's Python workers, a writing process) every
    ``every`` seconds: the peak of their summed resident memory with this process's, and the CPU
    seconds each was last seen with (its own and its reaped children's): a lower bound of theirs."""

    def __init__(self, every: float = 0.5) -> None:
        self.every, self.peak_kb, self.cpu = every, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "TreeSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        parents, stats = {}, {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                rss = int((entry / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
            except (OSError, IndexError, ValueError):
                continue
            parents[int(entry.name)] = int(fields[1])
            stats[int(entry.name)] = (rss, sum(int(v) for v in fields[11:15]) / tick)
        me, tree = os.getpid(), {os.getpid()}
        grown = True
        while grown:
            more = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= more
            grown = bool(more)
        self.peak_kb = max(self.peak_kb, sum(stats[pid][0] for pid in tree if pid in stats))
        for pid in tree - {me}:
            if pid in stats:
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), stats[pid][1])

    def figures(self) -> dict:
        """tree_rss_mb (peak of the process tree's summed RSS), descendants_cpu_s."""
        return {"tree_rss_mb": round(self.peak_kb / 1024, 1), "descendants_cpu_s": round(sum(self.cpu.values()), 2)}


def shuffle_bytes(events: Path) -> int:
    """Bytes Spark's tasks wrote to shuffles, summed over the event log(s) in ``events``."""
    total = 0
    for log in sorted(p for p in events.rglob("*") if p.is_file() and not p.name.startswith((".", "appstatus"))):
        with open(log, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if '"SparkListenerTaskEnd"' not in line:
                    continue
                metrics = json.loads(line).get("Task Metrics") or {}
                total += int((metrics.get("Shuffle Write Metrics") or {}).get("Shuffle Bytes Written", 0))
    return total


# the report's side -----------------------------------------------------------------------------

def stage_of(name: str) -> str:
    """The STAGES entry a progress line's stage belongs to (English names: the child runs --lang en)."""
    name = name.lower()
    for stage, words in (("read", ("reading the register (spark)",)), ("normalise", ("normalis",)),
                         ("read", ("reading",)), ("block", ("blocking",)), ("score", ("scoring",)),
                         ("cluster", ("clustering",)), ("gather", ("gathering",)), ("decide", ("deciding",)),
                         ("notices", ("notices", "drafting"))):
        if any(word in name for word in words) and not name.startswith("writing"):
            return stage
    return "write"


def stage_seconds(row: dict) -> dict[str, float]:
    """Wall seconds per STAGES entry of a row."""
    out = dict.fromkeys(STAGES, 0.0)
    for name, wall, _cpu in row.get("stages") or []:
        out[stage_of(name)] += float(wall)
    return out


def _unit(stage: str, units: dict) -> float:
    """What a stage's cost grows with: candidate pairs for scoring, records otherwise."""
    return float(units["pairs"] if stage == "score" else units["records"])


def projection(rows: list[dict], sizes: tuple[int, ...] = PROJECT_TO, executors: tuple[int, ...] = EXECUTORS,
               cores: int = CORES_PER_EXECUTOR) -> pd.DataFrame:
    """Projected wall seconds of a Spark run of ``sizes`` records on E executors of ``cores`` cores.

    Per stage, from the cli-spark rows: t = a + b * units (units: candidate pairs for scoring,
    records for the rest; a and b fitted through the measured sizes, a = 0 with one size), where
    b was measured on local[2], i.e. 2 cores: on E executors b * units costs b * units * 2 / (E *
    cores), except for the stages on the driver (DRIVER_STAGES), which executors do not shorten.
    Candidate pairs at a projected size: the largest measured pairs per record (block caps bound
    it; the generator's one-district name pool makes it grow with the register until they stop
    it).  Shuffle: the bytes per record of the largest measured run, times the records.  Assumes
    no skew, no spill, a network that carries the shuffle at the disks' pace, and executors with
    the per-core speed of this machine: a floor to plan from, not a promise."""
    spark = sorted((r for r in rows if r.get("tool") == "cli-spark" and not r.get("error") and r.get("units")),
                   key=lambda r: r["records"])
    if not spark:
        return pd.DataFrame()
    largest = spark[-1]
    per_record_pairs = largest["units"]["pairs"] / max(largest["units"]["records"], 1)
    per_record_shuffle = (largest.get("shuffle_bytes") or 0) / max(largest["units"]["records"], 1)
    fits = {}
    for stage in STAGES:
        x = np.array([_unit(stage, r["units"]) for r in spark])
        y = np.array([stage_seconds(r)[stage] for r in spark])
        if len(spark) > 1 and x[-1] > x[0]:
            b = (y[-1] - y[0]) / (x[-1] - x[0])
            a = y[0] - b * x[0]
            if b < 0:  # noise larger than the growth: all of it per unit
                a, b = 0.0, y[-1] / x[-1]
            a = max(a, 0.0)
        else:
            a, b = 0.0, (y[-1] / x[-1] if x[-1] else 0.0)
        fits[stage] = (a, b)
    out = []
    for size in sizes:
        units = {"records": size, "pairs": size * per_record_pairs}
        for count in executors:
            seconds = {}
            for stage, (a, b) in fits.items():
                work = b * _unit(stage, units)
                seconds[stage] = a + (work if stage in DRIVER_STAGES else work * 2 / (count * cores))
            out.append({"records": size, "executors": count, "cores": count * cores,
                        "candidate_pairs": int(units["pairs"]), "shuffle_gb": round(per_record_shuffle * size / 1e9, 1),
                        **{s: round(v, 1) for s, v in seconds.items()},
                        "total_s": round(sum(seconds.values()), 1),
                        "driver_s": round(sum(seconds[s] for s in DRIVER_STAGES), 1)})
    return pd.DataFrame(out)


def section(rows: list[dict]) -> str:
    """This suite's part of RESULTS.md: the runs, their stages, and the projection ('' without rows)."""
    mine = sorted((r for r in rows if r.get("suite") == "scale"), key=lambda r: (r["tool"], r["records"]))
    if not mine:
        return ""
    lines = [SECTION_HEADING, "",
             "Written by `python benchmarks/run.py --suite scale` (rows kept in results.json). Each run is the whole "
             "`linkage dedupe left.csv -o OUT` in a child process: wall s from start to exit; CPU s the child's user + "
             "system (for cli-spark the larger of that and the driver's plus the JVM's and workers' as last sampled, "
             "every 0.5 s); peak RSS the child's `VmHWM` (cli-spark: the peak of its process tree's summed RSS, "
             "sampled); F1 pairwise against the generator's truth; shuffle the bytes Spark's tasks wrote to "
             "shuffles (its event log).", "",
             "| tool | records | candidate pairs | wall s | CPU s | peak RSS MB | F1 | shuffle MB | "
             + " | ".join(STAGES) + " |",
             "|" + "---|" * (7 + len(STAGES))]
    for r in mine:
        if r.get("error"):
            lines.append(f"| {r['tool']} | {r['records']:,} | failed: {r['error']} |" + " |" * (5 + len(STAGES)))
            continue
        shuffle = f"{r['shuffle_bytes'] / 1e6:,.0f}" if r.get("shuffle_bytes") is not None else "–"
        stages = stage_seconds(r)
        lines.append(f"| {r['tool']} | {r['records']:,} | {r.get('candidate_pairs') or 0:,} | {r['wall_s']:.1f} | "
                     f"{r.get('cpu_s') or 0:.1f} | {r.get('peak_rss_mb') or 0:,.0f} | {r.get('f1') or 0:.4f} | "
                     f"{shuffle} | " + " | ".join(f"{stages[s]:.1f}" for s in STAGES) + " |")
    table = projection(mine)
    lines += ["", "### Projection to a cluster", "", projection.__doc__.split("\n\n", 1)[1].strip().replace("\n    ", "\n"),
              ""]
    if not len(table):
        lines.append("No cli-spark run to project from yet.")
    else:
        lines += ["| records | executors (cores) | candidate pairs | shuffle GB | on executors s | on the driver s "
                  "| total s |", "|---|---|---|---|---|---|---|"]
        for r in table.to_dict("records"):
            lines.append(f"| {r['records']:,} | {r['executors']} ({r['cores']}) | {r['candidate_pairs']:,} | "
                         f"{r['shuffle_gb']:,.1f} | {r['total_s'] - r['driver_s']:,.0f} | {r['driver_s']:,.0f} | "
                         f"{r['total_s']:,.0f} |")
        lines += ["", "The driver's share (clusters.csv and the other tables gathered, decisions, notices and "
                  "files written by one process) does not shrink with executors: at these sizes it is the "
                  "bound, and the next thing to distribute."]
    return "\n".join(lines) + "\n"
