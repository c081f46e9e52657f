"""How well the audit finds what it should: ``python -m benchmarks.audit_eval [--size N] [--seed S]``.

1. Logic checks (``benchmarks.audit_data``): on a generated register and children table with
   errors of every rule injected, the share of injected (record, child, rule) findings the
   audit reports (bar >= 98%), and the share of clean records in management -- and of clean
   children rows -- it flags with an *error* (bar <= 1%).
2. Unregistered women: on a generated register and shared-platform extracts of each kind
   (public security, civil affairs, health) with known unregistered women, recall and
   precision of missing.csv (bar >= 0.97 each), for the confirmed to-enter list (priority 1-2)
   and for the whole list including the rows whose scope must be verified (priority 3).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd

SOURCES = ("公安户籍", "民政婚姻", "卫健出生")


def evaluate_checks(size: int, seed: int, per_rule: int) -> dict:
    from benchmarks.audit_data import make_audit_case
    from linkage.audit import check_children, run_checks
    from linkage.profile import RegisterProfile

    case = make_audit_case(size, seed=seed, per_rule=per_rule)
    started = time.perf_counter()
    records = RegisterProfile().load(case.register)
    findings = pd.concat([run_checks(records, as_of=case.as_of),
                          check_children(case.children, records, as_of=case.as_of)], ignore_index=True)
    seconds = time.perf_counter() - started
    found = set(zip(findings["record_id"], findings["child_id"], findings["rule"]))
    truth = case.truth
    hit = np.array([key in found for key in zip(truth["record_id"], truth["child_id"], truth["rule"])], dtype=bool)
    per_rule_recall = pd.Series(hit, index=truth["rule"]).groupby(level=0).mean()
    errors = findings[findings["severity"] == "error"]
    record_errors = set(errors.loc[errors["child_id"] == "", "record_id"])
    child_errors = set(errors.loc[errors["child_id"] != "", "child_id"])
    clean_records, clean_children = set(case.clean_record_ids), set(case.clean_child_ids)
    return {
        "records": len(case.register), "children": len(case.children), "rules_injected": int(truth["rule"].nunique()),
        "injected_findings": len(truth), "found_share": float(hit.mean()),
        "worst_rule": per_rule_recall.idxmin(), "worst_rule_share": float(per_rule_recall.min()),
        "missed": truth[~hit].groupby("rule").size().to_dict(),
        "clean_records": len(clean_records),
        "clean_records_flagged_error_share": len(clean_records & record_errors) / max(1, len(clean_records)),
        "clean_children": len(clean_children),
        "clean_children_flagged_error_share": len(clean_children & child_errors) / max(1, len(clean_children)),
        "check_seconds": round(seconds, 2),
    }


def evaluate_missing(size: int, seed: int, extract_size: int, model: str | None, errors: str = "usual") -> list[dict]:
    from benchmarks.generator import generate_extract, generate_register
    from linkage.audit import find_missing
    from linkage.profile import RegisterProfile

    g = generate_register(n_records=size, seed=seed, errors=errors)
    records = RegisterProfile().load(g.register)
    rows = []
    for index, source in enumerate(SOURCES):
        extract = generate_extract(g, n_records=extract_size, seed=seed + index + 1, source=source)
        started = time.perf_counter()
        listed = find_missing(records, [extract.extract], district=g.district, as_of=g.as_of, model=model)
        seconds = time.perf_counter() - started
        truth = set(extract.truth.loc[extract.truth["unregistered"], "record_id"])
        registered = set(extract.truth.loc[extract.truth["person_id"] != "", "record_id"])
        for scope, table in (("to_enter(priority 1-2)", listed[listed["priority"] <= 2]), ("all(priority 1-3)", listed)):
            ids = set(table["external_record_id"])
            true_positives = len(ids & truth)
            rows.append({"errors": errors, "source": source, "list": scope, "extract_rows": len(extract.extract),
                         "unregistered": len(truth), "listed": len(ids),
                         "recall": true_positives / max(1, len(truth)),
                         "precision": true_positives / max(1, len(ids)),
                         "wrong_registered": len(ids & registered), "wrong_out_of_scope": len(ids - truth - registered),
                         "seconds": round(seconds, 2)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=25_000, help="records in the generated register (default 25000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--per-rule", type=int, default=20, help="injected errors per rule (default 20)")
    parser.add_argument("--extract-size", type=int, default=3000, help="rows per shared-platform extract")
    parser.add_argument("--model", help="match model JSON (default: the shipped model)")
    parser.add_argument("--errors", default="usual",
                        help="error model of the register's clerks (benchmarks.error_models: usual, other_clerks, harsh)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    checks = evaluate_checks(args.size, args.seed, args.per_rule)
    missing = evaluate_missing(args.size, args.seed, args.extract_size, args.model, args.errors)
    if args.format == "json":
        print(json.dumps({"checks": checks, "missing": missing}, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"logic checks on {checks['records']:,} records and {checks['children']:,} children "
          f"({checks['rules_injected']} rules injected, {checks['injected_findings']} expected findings, "
          f"checked in {checks['check_seconds']} s)")
    print(f"  injected errors found:        {checks['found_share']:.2%}  (bar >= 98%; worst rule "
          f"{checks['worst_rule']} {checks['worst_rule_share']:.0%})")
    print(f"  clean records flagged error:  {checks['clean_records_flagged_error_share']:.2%} of "
          f"{checks['clean_records']:,}  (bar <= 1%)")
    print(f"  clean children flagged error: {checks['clean_children_flagged_error_share']:.2%} of "
          f"{checks['clean_children']:,}")
    if checks["missed"]:
        print(f"  missed: {checks['missed']}")
    print(f"unregistered women ({args.size:,}-record register, {args.extract_size:,}-row extracts; bars >= 0.97)")
    print(pd.DataFrame(missing).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
