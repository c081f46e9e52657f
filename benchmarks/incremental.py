"""The incremental benchmark: a monthly update against a full run on the same final register.

    python -m benchmarks.incremental --size 250000 [--new 2000] [--changed 500] [--work DIR] [--seed S]
    python benchmarks/run.py --suite incremental --size 250000 ...   (the same)

A register of ``size`` records is generated with its truth; ``new`` of its records are held out
as next month's new records and ``changed`` others are re-typed (a new phone, a name typed with one
character fewer), so the base is ``size - new`` records and the final register ``size``.  Three
child processes run ``linkage dedupe BASE`` (which writes the state), ``linkage update BASE_OUT
BATCH`` and ``linkage dedupe FINAL`` (both writing their state, as a monthly run does; all three write
every output an office gets, printable workbooks included, unless ``--no-printable``); each is measured as a whole (wall time, peak resident memory
from ``os.wait4``).  Printed: those, the state's size, the pairwise F1 of the update's and the full
run's clusters against the truth, and whether the two partitions are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def _run(command: list[str], log: Path) -> dict:
    """Run ``command``; wall_s and peak_rss_mb of the child."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with open(log, "ab") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed (status {status}); see {log}")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def _f1(clusters: Path, person: pd.Series) -> float:
    """Pairwise F1 of clusters.csv against the truth (record_id -> person_id)."""
    table = pd.read_csv(clusters, dtype=str, encoding="utf-8-sig")
    found = _pair_count(table["cluster_id"])
    truth = _pair_count(person.reindex(table["record_id"]).to_numpy())
    both = _pair_count(table["cluster_id"] + "\x1f" + person.reindex(table["record_id"]).to_numpy())
    precision, recall = both / max(found, 1), both / max(truth, 1)
    return 2 * precision * recall / max(precision + recall, 1e-12)


def _pair_count(labels) -> int:
    sizes = pd.Series(labels).value_counts().to_numpy(dtype=np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _partition(clusters: Path) -> set[frozenset]:
    table = pd.read_csv(clusters, dtype=str, encoding="utf-8-sig")
    grouped = table[table["cluster_size"].astype(int) > 1]
    return {frozenset(v) for v in grouped.groupby("cluster_id")["record_id"].apply(list)}


def make_case(size: int, new: int, changed: int, seed: int, work: Path) -> pd.Series:
    """Write base.csv, batch.csv and final.csv into ``work``; returns the truth (record_id -> person_id)."""
    from benchmarks.generator import generate_register

    generated = generate_register(n_records=size, seed=seed)
    register, truth = generated.register, generated.truth
    rng = np.random.default_rng(seed)
    held = rng.choice(len(register), size=new, replace=False)
    is_new = np.zeros(len(register), dtype=bool)
    is_new[held] = True
    base = register[~is_new]
    retyped = base.sample(changed, random_state=seed).copy()
    retyped["phone"] = "139" + pd.Series(rng.integers(10**7, 10**8, len(retyped)).astype(str), index=retyped.index)
    retyped["name"] = retyped["name"].str[:-1].where(retyped["name"].str.len() > 2, retyped["name"])
    batch = pd.concat([register[is_new], retyped], ignore_index=True)
    final = pd.concat([base.drop(index=retyped.index), batch], ignore_index=True)
    for name, frame in (("base", base), ("batch", batch), ("final", final)):
        frame.to_csv(work / f"{name}.csv", index=False, encoding="utf-8-sig")
    return pd.Series(truth["person_id"].to_numpy(), index=truth["record_id"].to_numpy())


def run(size: int, new: int, changed: int, seed: int, work: Path, *, printable: bool = True) -> dict:
    """The three runs as an office makes them (printable workbooks included unless ``printable`` is False)."""
    work.mkdir(parents=True, exist_ok=True)
    person = make_case(size, new, changed, seed, work)
    log = work / "log.txt"
    linkage = [sys.executable, "-m", "linkage.cli"]
    skip = [] if printable else ["--no-printable"]
    common = ["--district", "330106", "--as-of", "2026-11-30", "-q", *skip]
    base = _run(linkage + ["dedupe", str(work / "base.csv"), "-o", str(work / "base_out"), *common], log)
    updated = _run(linkage + ["update", str(work / "base_out"), str(work / "batch.csv"), "-o", str(work / "update_out"),
                              "-q", *skip], log)
    full = _run(linkage + ["dedupe", str(work / "final.csv"), "-o", str(work / "full_out"), *common], log)
    state_mb = sum(p.stat().st_size for p in (work / "base_out" / "state").iterdir()) / 1e6  # MB of 10^6 bytes, as ls shows
    return {
        "records": size, "new": new, "changed": changed,
        "base_run": base, "update": updated, "full_run": full,
        "update_share_of_full_wall": round(updated["wall_s"] / full["wall_s"], 3),
        "state_mb": round(state_mb, 1), "state_mb_per_million": round(state_mb * 1e6 / (size - new), 1),
        "f1_update": round(_f1(work / "update_out" / "clusters.csv", person), 5),
        "f1_full": round(_f1(work / "full_out" / "clusters.csv", person), 5),
        "same_clusters": _partition(work / "update_out" / "clusters.csv") == _partition(work / "full_out" / "clusters.csv"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incremental", description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, nargs="+", default=[250_000])
    parser.add_argument("--new", type=int, default=None, help="new records (default 0.8%% of size)")
    parser.add_argument("--changed", type=int, default=None, help="re-typed records (default 0.2%% of size)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", default=None, help="folder for the inputs and outputs (default: a temp folder)")
    parser.add_argument("--no-printable", action="store_true",
                        help="all three runs without the printable workbooks (default: every output, as an office runs)")
    args, _ = parser.parse_known_args(argv)
    import tempfile

    for size in args.size:
        work = Path(args.work or tempfile.mkdtemp(prefix="incremental-")) / str(size)
        new = args.new if args.new is not None else max(size * 8 // 1000, 1)
        changed = args.changed if args.changed is not None else max(size * 2 // 1000, 1)
        print(json.dumps(run(size, new, changed, args.seed, work, printable=not args.no_printable),
                         ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
