"""One tool on one case, in a process of its own: ``python -m benchmarks.child TOOL CASE OUT``.

The parent (``benchmarks/run.py``) measures this whole process (wall time, peak RSS); this
side runs the tool, scores its clusters against the truth and writes one JSON object to
OUT: candidate_pairs, pairs_completeness, reduction_ratio, precision, recall, f1 (or
``error`` with the reason when the tool failed), and vm_hwm_mb, the kernel's high-water
mark of this process's resident memory (``VmHWM`` in /proc/self/status), plus the most that a
process it forked to write outputs beside it (``linkage.parallel``) held beyond what the two
shared: an upper bound of the pair's peak.

VmHWM belongs to the memory map the child got at exec, so it is this program's own peak.
The parent's ``ru_maxrss`` for the child is not: Linux carries the parent's peak across
fork and exec into it, so a parent holding a large generated register would put a floor
under every tool's number.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import numpy as np

from benchmarks.cases import Case
from benchmarks.metrics import blocking_scores, pairwise_scores
from benchmarks.output import ToolOutput
from linkage.parallel import child_extra_mb

TOOLS = ("ours", "ours-full", "ours-em", "ours-cli", "recordlinkage-ecm", "recordlinkage-logreg", "splink",
         "cli-local", "cli-spark")


def run_tool(tool: str, case: Case) -> ToolOutput:
    if tool in ("cli-local", "cli-spark"):  # the scale suite (benchmarks.scale)
        from benchmarks import scale

        return scale.run_cli(case, engine=tool.split("-", 1)[1])
    if tool == "ours-cli":
        from benchmarks import ours

        return ours.run_cli(case)
    if tool in ("ours", "ours-full", "ours-em"):
        from benchmarks import ours

        return ours.run(case, unsupervised=tool == "ours-em", full=tool == "ours-full")
    if tool.startswith("recordlinkage-"):
        from benchmarks.anchors import recordlinkage_anchor

        return recordlinkage_anchor.run(case, classifier=tool.split("-", 1)[1])
    if tool == "splink":
        from benchmarks.anchors import splink_anchor

        return splink_anchor.run(case)
    raise ValueError(f"unknown tool {tool!r}; use one of {TOOLS}")


def score(case: Case, output: ToolOutput) -> dict:
    """The accuracy columns of a result row (pairwise over the final clusters)."""
    truth_left = case.truth("left")
    truth_right = case.truth("right") if case.kind == "link" else None
    if truth_right is None:
        truth, side = truth_left, None
    else:
        truth = np.r_[truth_left, truth_right]
        side = np.r_[np.zeros(len(truth_left), dtype=bool), np.ones(len(truth_right), dtype=bool)]
    if len(output.labels) != len(truth):
        raise ValueError(f"the tool labelled {len(output.labels)} records of {len(truth)}")
    pairs = pairwise_scores(output.labels, truth, side)
    completeness, reduction = blocking_scores(output.candidates, truth_left, truth_right, pairs.true_pairs)
    return {"candidate_pairs": int(len(output.candidates)), "pairs_completeness": completeness,
            "reduction_ratio": reduction, "precision": pairs.precision, "recall": pairs.recall, "f1": pairs.f1,
            "true_pairs": pairs.true_pairs, "predicted_pairs": pairs.predicted_pairs}


def main(argv: list[str] | None = None) -> int:
    tool, folder, out = (argv if argv is not None else sys.argv[1:])[:3]
    case = Case(Path(folder))
    try:
        output = run_tool(tool, case)
        result = score(case, output)
        if output.extra:  # the scale suite: its own candidate count, stages and process tree
            result = {**{k: v for k, v in result.items() if k not in ("pairs_completeness", "reduction_ratio")},
                      **output.extra}
            if "descendants_cpu_s" in result:  # this process, and the larger of its reaped and its sampled children
                times = os.times()
                result["tree_cpu_s"] = round(times.user + times.system + max(
                    times.children_user + times.children_system, result["descendants_cpu_s"]), 2)
        code = 0
    except Exception as exc:  # any failure of a tool becomes a row with its reason
        traceback.print_exc()
        result, code = {"error": f"{type(exc).__name__}: {exc}"[:300]}, 1
    # with the second process that writes half of the outputs (linkage.parallel): its own extra peak
    peak = peak_resident_mb()
    result["vm_hwm_mb"] = None if peak is None else round(peak + child_extra_mb(), 1)
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return code


def peak_resident_mb() -> float | None:
    """VmHWM of this process in MB (None where /proc is not available)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(main())
