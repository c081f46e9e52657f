"""How well the audit finds what it should: ``python -m benchmarks.audit_eval [--size N] [--seed S]``.

1. Logic checks (``benchmarks.audit_data``): on a generated register and children table with
   errors of every rule injected, the share of injected (record, child, rule) findings the
   audit reports (bar >= 98%), and the share of clean records in management -- and of clean
   children rows -- it flags with an *error* (bar <= 1%).
2. Unregistered women: on a generated register and shared-platform extracts of each kind
   (public security, civil affairs, health) with known unregistered women, recall and
   precision of missing.csv (bar >= 0.97 each), for the confirmed to-enter list (priority 1-2)
   and for the whole list including the rows whose scope must be verified (priority 3).
3. The campaign (``benchmarks.campaign_data``, ``--campaign``): the key-target rules' recall on
   injected rows (bar >= 0.98) and the share of clean records in management they flag (bar <=
   0.01); each birth clue's status against the truth; the follow-up run on a later register with
   known fixes, cancellations and new errors: its 已整改 / 新增 / 已办理 sets against the truth
   (exact).
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


def evaluate_campaign(size: int, seed: int, per_rule: int) -> dict:
    import tempfile

    import linkage
    from benchmarks.campaign_data import KEY_RULE_NAMES, cancel_notices, make_campaign
    from linkage.audit.followup import followup

    case = make_campaign(size, seed=seed, per_rule=per_rule)
    due = (pd.Timestamp(case.as_of) + pd.Timedelta(days=15)).strftime("%Y-%m-%d")
    started = time.perf_counter()
    first = linkage.audit(case.register, children=case.children, births=case.births, district=case.district,
                          as_of=case.as_of, due=due)
    seconds = time.perf_counter() - started
    key = first.findings[first.findings["rule"].isin(KEY_RULE_NAMES)]
    found = set(zip(key["record_id"], key["rule"]))
    hit = np.array([pair in found for pair in zip(case.key_truth["record_id"], case.key_truth["rule"])])
    per_rule_recall = pd.Series(hit, index=case.key_truth["rule"]).groupby(level=0).mean()
    clean = set(case.clean_ids)
    clues = first.extra["clues"].set_index("birth_record_id")["status"]
    right = clues.reindex(case.birth_truth.index) == case.birth_truth
    later, done = cancel_notices(case.later, first.dedupe.notices, np.random.default_rng([seed, 15]))
    cancelled = set(later.loc[later["status"] == "注销", "record_id"]) - set(case.register.loc[
        case.register["status"] == "注销", "record_id"])
    earlier = first.findings
    on_cancelled = earlier[(earlier["child_id"] == "") & earlier["record_id"].isin(cancelled)]
    expected_fixed = set(zip(case.fixed["record_id"], case.fixed["rule"])) | set(zip(on_cancelled["record_id"],
                                                                                     on_cancelled["rule"]))
    expected_new = set(zip(case.new_findings["record_id"], case.new_findings["rule"]))
    with tempfile.TemporaryDirectory() as folder:
        first.write(folder)
        result = followup(folder, later, district=case.district, children=case.children, births=case.births,
                          as_of=case.as_of, due=due)
    followed = result.followup
    got_fixed = set(zip(*(followed.loc[followed["status"] == "已整改", c] for c in ("record_id", "rule"))))
    got_new = set(zip(*(followed.loc[followed["status"] == "新增", c] for c in ("record_id", "rule"))))
    notices = result.notices_followup
    got_done = set(notices.loc[notices["status"] == "已办理", "notice_id"])
    return {
        "records": len(case.register), "key_injected": len(case.key_truth), "key_found_share": float(hit.mean()),
        "key_worst_rule": per_rule_recall.idxmin(), "key_worst_rule_share": float(per_rule_recall.min()),
        "clean_records": len(clean),
        "clean_flagged_share": len(clean & set(key["record_id"])) / max(1, len(clean)),
        "births": len(case.births), "clue_status_right_share": float(right.mean()),
        "clue_status_wrong": case.birth_truth[~right.to_numpy()].value_counts().to_dict(),
        "fixed_expected": len(expected_fixed), "fixed_exact": got_fixed == expected_fixed,
        "new_expected": len(expected_new), "new_exact": got_new == expected_new,
        "notices_done_expected": len(done), "notices_exact": got_done == done,
        "fixed_missed": sorted(expected_fixed - got_fixed)[:5], "fixed_extra": sorted(got_fixed - expected_fixed)[:5],
        "new_extra": sorted(got_new - expected_new)[:5], "audit_seconds": round(seconds, 2),
    }


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
    parser.add_argument("--campaign", action="store_true",
                        help="measure only the campaign (key targets, birth clues, follow-up) on a --size register")
    args = parser.parse_args(argv)
    if args.campaign:
        campaign = evaluate_campaign(args.size, args.seed, args.per_rule)
        if args.format == "json":
            print(json.dumps({"campaign": campaign}, ensure_ascii=False, indent=2, default=str))
            return 0
        print(f"campaign on {campaign['records']:,} records (audit in {campaign['audit_seconds']} s)")
        print(f"  key targets found:        {campaign['key_found_share']:.2%} of {campaign['key_injected']}  "
              f"(bar >= 98%; worst {campaign['key_worst_rule']} {campaign['key_worst_rule_share']:.0%})")
        print(f"  clean records flagged:    {campaign['clean_flagged_share']:.2%} of {campaign['clean_records']:,}  "
              f"(bar <= 1%)")
        print(f"  birth clue status right:  {campaign['clue_status_right_share']:.2%} of {campaign['births']}"
              + (f"  wrong: {campaign['clue_status_wrong']}" if campaign["clue_status_wrong"] else ""))
        print(f"  follow-up exact:          已整改 {campaign['fixed_exact']} ({campaign['fixed_expected']}), "
              f"新增 {campaign['new_exact']} ({campaign['new_expected']}), "
              f"已办理 {campaign['notices_exact']} ({campaign['notices_done_expected']})")
        return 0
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
