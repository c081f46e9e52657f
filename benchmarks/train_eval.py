"""Does the review loop pay?  A model trained on a clerk's judged pairs against the shipped default,
on a fresh register of the same clerks.

    python -m benchmarks.train_eval [--size 30000] [--labels 500] [--errors paper_cards]
        [--seeds 1:101 2:102] [--work DIR]

For each error model (``benchmarks.error_models``) and each seed pair ``a:b``, as an office does it,
every step a child process of the installed command line:

1. register A (generator seed a, that error model) and its truth;
2. ``linkage dedupe A -o OUTA`` with the shipped model;
3. ``linkage review OUTA -o review.xlsx --size LABELS``: the pairs a clerk is shown;
4. the clerk's judgement of each shown pair is A's truth (is_same_woman), written as labels.csv;
5. ``linkage train labels.csv --state OUTA -o model.json``;
6. register B (seed b, same error model), never seen by steps 1-5;
   ``linkage dedupe B`` with the default and with ``--model model.json``;
7. pairwise precision / recall / F1 of B's clusters against B's truth (``benchmarks.metrics``),
   every true pair counted (also those blocking missed).

The shipped model is fitted on a mix of usual, other_clerks and harsh (benchmarks.train_default):
``paper_cards`` is the error model outside that mix; the mix's own models can be given too (then
the comparison is on clerks the default already knows).  ``--no-decide --no-printable`` is passed to
dedupe: the clusters are the same, the managing units and notices are not needed here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.metrics import pairwise_scores

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    """One comparison: error model, seeds, the review list's make-up, and B's scores of both models."""

    errors: str
    seed_a: int
    seed_b: int
    judged: int
    judged_same: int
    threshold: float
    default_precision: float
    default_recall: float
    default_f1: float
    trained_precision: float
    trained_recall: float
    trained_f1: float
    seconds: float


def _run(*args: str) -> None:
    """A child process with this repository first on the path; its stderr on failure."""
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env = {**os.environ, "PYTHONPATH": path}
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")


def _linkage(*args: str) -> None:
    _run("-m", "linkage.cli", *args)


def _generate(size: int, seed: int, errors: str, folder: Path, name: str) -> tuple[Path, pd.Series]:
    """Register and truth (record_id -> person_id) from the generator's command line."""
    register, truth = folder / f"{name}.csv", folder / f"{name}_truth.csv"
    _run("-m", "benchmarks.generator", "--size", str(size), "--seed", str(seed), "--errors", errors,
         "-o", str(register), "--truth", str(truth))
    table = pd.read_csv(truth, dtype=str)
    return register, table.set_index("record_id")["person_id"]


def scores(out: Path, person: pd.Series) -> tuple[float, float, float]:
    """Pairwise (precision, recall, F1) of the clusters in ``out`` against ``person`` (record_id -> woman)."""
    clusters = pd.read_csv(out / "clusters.csv", dtype=str, encoding="utf-8-sig")
    predicted = pd.factorize(clusters["cluster_id"])[0]
    truth = pd.factorize(person.reindex(clusters["record_id"]).to_numpy(dtype=object))[0]
    found = pairwise_scores(predicted, truth)
    return found.precision, found.recall, found.f1


def clerk_labels(review: Path, person: pd.Series, path: Path) -> tuple[int, int]:
    """labels.csv (record_id_l, record_id_r, match 1/0) of the pairs in the review workbook, judged by the
    truth as a careful clerk would; returns (pairs, same-woman pairs)."""
    shown = pd.read_excel(review, sheet_name="待判定", dtype=str)
    same = (person.reindex(shown["record_id_l"]).to_numpy() == person.reindex(shown["record_id_r"]).to_numpy())
    labels = pd.DataFrame({"record_id_l": shown["record_id_l"], "record_id_r": shown["record_id_r"],
                           "match": same.astype(int)})
    labels.to_csv(path, index=False)
    return len(labels), int(same.sum())


def compare(errors: str, seed_a: int, seed_b: int, size: int, labels: int, folder: Path) -> Row:
    """Steps 1-7 of the module docstring for one error model and one seed pair."""
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    quiet = ("-q", "--no-decide", "--no-printable")
    register_a, person_a = _generate(size, seed_a, errors, folder, "A")
    _linkage("dedupe", str(register_a), "-o", str(folder / "OUTA"), *quiet)
    _linkage("review", str(folder / "OUTA"), "-o", str(folder / "review.xlsx"), "--size", str(labels))
    judged, same = clerk_labels(folder / "review.xlsx", person_a, folder / "labels.csv")
    _linkage("train", str(folder / "labels.csv"), "--state", str(folder / "OUTA"), "-o", str(folder / "model.json"))
    threshold = float(json.loads((folder / "model.json").read_text(encoding="utf-8"))["threshold"])
    register_b, person_b = _generate(size, seed_b, errors, folder, "B")
    _linkage("dedupe", str(register_b), "-o", str(folder / "OUTB_default"), *quiet)
    _linkage("dedupe", str(register_b), "-o", str(folder / "OUTB_trained"), "--model", str(folder / "model.json"),
             *quiet)
    default, trained = scores(folder / "OUTB_default", person_b), scores(folder / "OUTB_trained", person_b)
    return Row(errors, seed_a, seed_b, judged, same, threshold, *default, *trained,
               seconds=round(time.perf_counter() - start, 1))


def table(rows: list[Row]) -> str:
    """The printed comparison, one line per (error model, seeds)."""
    lines = ["errors        seeds     judged(same)  thr   | default P / R / F1       | trained P / R / F1       | dF1"]
    for r in rows:
        lines.append(f"{r.errors:<13} {r.seed_a:>3}->{r.seed_b:<4} {r.judged:>5} ({r.judged_same:>3})  "
                     f"{r.threshold:.2f}  | "
                     f"{r.default_precision:.4f} {r.default_recall:.4f} {r.default_f1:.4f} | "
                     f"{r.trained_precision:.4f} {r.trained_recall:.4f} {r.trained_f1:.4f} | "
                     f"{r.trained_f1 - r.default_f1:+.5f}")
    return "\n".join(lines)


def _seeds(text: str) -> tuple[int, int]:
    a, _, b = text.partition(":")
    return int(a), int(b) if b else int(a) + 100


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=30_000, help="records of registers A and B")
    parser.add_argument("--labels", type=int, default=500, help="pairs the clerk judges (linkage review --size)")
    parser.add_argument("--errors", default="paper_cards", help="comma-separated error models")
    parser.add_argument("--seeds", nargs="+", default=["1:101", "2:102"], help="a:b (register A's and B's seeds)")
    parser.add_argument("--work", help="folder for the registers and runs (default: a temporary one)")
    parser.add_argument("--json", help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="train_eval_") as scratch:
        work = Path(args.work or scratch)
        for errors in [e.strip() for e in args.errors.split(",") if e.strip()]:
            for text in args.seeds:
                a, b = _seeds(text)
                rows.append(compare(errors, a, b, args.size, args.labels, work / f"{errors}_{a}_{b}"))
                print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(f"python -m benchmarks.train_eval --size {args.size} --labels {args.labels} --errors {args.errors} "
          f"--seeds {' '.join(args.seeds)}")
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
