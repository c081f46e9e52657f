"""How often the managing-unit decision is right, and how many notices are drafted in error.

    python benchmarks/managing_eval.py [--size 25000] [--seed 0] [--clusters truth|dedupe|both] [--model FILE] [--json]

On a generated register (``benchmarks.generator``; the truth says which unit should manage
each woman under the six-month rule, '' where her records do not carry enough to say):

* ``truth`` clusters: cluster_ids = person_id, so every duplicate group is found exactly;
* ``dedupe`` clusters: the engine's own clusters (``linkage.dedupe``).

A *correctly found duplicate group* is a cluster whose active records are exactly the active
records of one woman, two or more of them.  Reported, over those with a known true unit:
``right_unit`` (decided, managing_unit_code == true code), ``right_unit_share`` (bar >= 0.98),
``right_or_nested_unit`` (the kept unit is the true unit, its street or one of its
communities: the truth's unit holds only a cancelled record and the street holds hers),
``wrong_unit`` (decided, another unit), ``undetermined``; and over all notices:
``false_notices`` (the record and the kept record are different women: a notice for a group
the truth says is not one duplicate), with the pairwise false-positive rate of the matched
pairs beside it.  Groups whose true unit is unknown ('' in the truth: her records do not say
enough for the generator's six-month rule) are counted apart, with how many a rule decided
(the tie-break rules or a transfer to her household county, which the generator does not model).  Also the time decide + draft_notices take.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.generator import generate_register  # noqa: E402
from linkage.io import load  # noqa: E402
from linkage.prepare import prepare  # noqa: E402
from linkage.codes import codes_match, significant_codes  # noqa: E402
from linkage.normalize.status import is_inactive  # noqa: E402
from resolve.decide import decide  # noqa: E402
from resolve.notices import draft_notices  # noqa: E402


def evaluate(norm: pd.DataFrame, cluster_ids: np.ndarray, person_of: np.ndarray, persons: pd.DataFrame,
             pairs: np.ndarray, probabilities: np.ndarray, reasons: np.ndarray, *, district: str,
             as_of: str, matched: np.ndarray | None = None) -> dict[str, float]:
    """Scores of one clustering.  person_of: true person_id per row (n,); matched: bool (p,)
    of the pairs the engine calls matches (for the pairwise false-positive rate)."""
    started = time.perf_counter()
    decisions = decide(norm, cluster_ids, as_of=as_of)
    drafted = draft_notices(decisions, norm, cluster_ids, pairs, probabilities, reasons, district=district,
                            as_of=as_of)
    seconds = time.perf_counter() - started
    active = ~is_inactive(norm["status"])
    frame = pd.DataFrame({"cluster": np.asarray(cluster_ids, dtype=object).astype(str), "person": person_of})[active]
    per_cluster = frame.groupby("cluster")["person"].agg(["nunique", "first", "size"])
    per_person = frame.groupby("person").size()
    exact = per_cluster[(per_cluster["nunique"] == 1) & (per_cluster["size"] >= 2)]
    exact = exact[per_person.reindex(exact["first"]).to_numpy() == exact["size"].to_numpy()]
    truth = persons.set_index("person_id")["true_managing_unit_code"].astype(str)
    found = decisions.set_index("cluster_id").reindex(exact.index)
    expected = truth.reindex(exact["first"]).to_numpy(dtype=object)
    known = expected != ""
    decided = found["status"].to_numpy(dtype=object) == "decided"
    chosen = found["managing_unit_code"].fillna("").astype(str).to_numpy(dtype=object)
    right = decided & (chosen == expected)
    within = decided & codes_match(significant_codes(chosen), significant_codes(expected))
    notices = drafted.notices
    row_of = pd.Index(norm["record_id"].to_numpy(dtype=object))
    notice_person = person_of[row_of.get_indexer(notices["record_id"])]
    kept_person = person_of[row_of.get_indexer(notices["kept_record_id"])]
    false_notices = int((notice_person != kept_person).sum())
    result = {
        "clusters_of_2_plus_active": int(len(decisions)),
        "exact_groups": int(len(exact)),
        "exact_groups_with_known_unit": int(known.sum()),
        "right_unit": int((right & known).sum()),
        "wrong_unit": int((decided & ~right & known).sum()),
        "undetermined": int((~decided & known).sum()),
        "right_unit_share": round(float((right & known).sum() / max(known.sum(), 1)), 4),
        "right_or_nested_unit": int((within & known).sum()),
        "right_or_nested_share": round(float((within & known).sum() / max(known.sum(), 1)), 4),
        "exact_groups_truth_unknown": int((~known).sum()),
        "of_which_decided_by_rule": int((~known & decided).sum()),
        "notices": int(len(notices)),
        "false_notices": false_notices,
        "false_notice_rate": round(false_notices / max(len(notices), 1), 5),
        "verification_lines": int(len(drafted.verification)),
        "seconds_decide_and_notices": round(seconds, 2),
    }
    if matched is not None and len(pairs):
        m = np.asarray(matched, dtype=bool)
        wrong = person_of[pairs[m, 0]] != person_of[pairs[m, 1]]
        result["pairwise_false_positive_rate"] = round(float(wrong.mean()) if m.any() else 0.0, 5)
    return result


def wrong_examples(norm: pd.DataFrame, cluster_ids: np.ndarray, persons: pd.DataFrame, person_of: np.ndarray,
                   as_of: str, limit: int = 5) -> pd.DataFrame:
    """A few decided groups whose unit differs from the truth, for reading (truth clusters)."""
    decisions = decide(norm, cluster_ids, as_of=as_of)
    truth = persons.set_index("person_id")["true_managing_unit_code"].astype(str)
    expected = truth.reindex(decisions["cluster_id"]).to_numpy(dtype=object)
    bad = (expected != "") & (decisions["managing_unit_code"].to_numpy(dtype=object) != expected)
    shown = decisions[bad].assign(expected=expected[bad])
    return shown[["cluster_id", "expected", "managing_unit_code", "status", "rule", "units", "evidence"]].head(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clusters", choices=("truth", "dedupe", "both"), default="both")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--model", default=None, help="match model JSON for the dedupe run (default: the shipped one)")
    parser.add_argument("--show-wrong", type=int, default=0, help="print this many wrongly decided groups")
    args = parser.parse_args(argv)

    g = generate_register(n_records=args.size, seed=args.seed)
    records = prepare(load(g.register))
    norm = records.norm
    person_of = g.truth["person_id"].to_numpy(dtype=object)
    results = {}
    if args.clusters in ("truth", "both"):
        codes = pd.factorize(person_of)[0]
        order = np.argsort(codes, kind="stable")
        pairs = _consecutive_pairs(codes, order)
        probabilities = np.ones(len(pairs))
        reasons = np.full(len(pairs), "truth", dtype=object)
        results["truth"] = evaluate(norm, person_of, person_of, g.persons, pairs, probabilities, reasons,
                                    district=g.district, as_of=g.as_of)
        if args.show_wrong:
            with pd.option_context("display.width", 250, "display.max_colwidth", 200):
                print(wrong_examples(norm, person_of, g.persons, person_of, g.as_of, args.show_wrong).to_string())
    if args.clusters in ("dedupe", "both"):
        import linkage

        result = linkage.dedupe(records, district=g.district, as_of=g.as_of, model=args.model)
        scored = result.scored
        results["dedupe"] = evaluate(norm, result.cluster_ids, person_of, g.persons, scored.pairs,
                                     scored.probabilities, scored.reasons, district=g.district, as_of=g.as_of,
                                     matched=scored.probabilities >= scored.threshold)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for name, values in results.items():
            print(f"[{name} clusters, {args.size} records, seed {args.seed}]")
            for key, value in values.items():
                print(f"  {key:<34}{value}")
    return 0


def _consecutive_pairs(codes: np.ndarray, order: np.ndarray) -> np.ndarray:
    """A chain of pairs (i, j) inside every true group: the scored graph of the truth clusters."""
    same = codes[order][1:] == codes[order][:-1]
    pairs = np.c_[order[:-1][same], order[1:][same]]
    return np.sort(pairs, axis=1).astype(np.int64)


if __name__ == "__main__":
    raise SystemExit(main())
