"""This engine as a benchmarked tool: ``linkage.dedupe`` / ``linkage.link`` on a case.

The register suite runs the default register profile and the default model that ships
with the package, reading the case's parquet file itself as ``linkage dedupe FILE`` would.
'ours' does the anchors' job, finding and clustering the duplicates (``decide=False``);
'ours-full' (register dedupe only) also decides every duplicated woman's managing unit and
drafts the notices and the verification list, which no anchor does.  FEBRL runs the generic profile (``linkage.generic.FEBRL``) with a model
fitted on the case's labelled training tables (the other FEBRL data sets), which is what a
user with labels does; fitting is inside the timed process.  ``unsupervised=True`` (the
tool 'ours-em', FEBRL only) fits the generic profile's Fellegi-Sunter model by EM on the
evaluated table(s) themselves, with no labels at all (``linkage.generic.fit_unsupervised``, ``scoring.em``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import linkage
from benchmarks.cases import Case
from benchmarks.output import ToolOutput, from_links


def run(case: Case, *, unsupervised: bool = False, full: bool = False) -> ToolOutput:
    profile = model = None
    left = case.folder / "left.parquet"
    if case.meta["suite"] == "febrl":
        from linkage.generic import FEBRL, fit_model, fit_unsupervised

        other = case.table("right") if case.kind == "link" else None
        profile = FEBRL
        if unsupervised:
            model = fit_unsupervised(FEBRL, case.table("left"), other)
        else:
            model = fit_model(FEBRL, case.training())
    elif unsupervised:
        raise ValueError("the unsupervised model is for generic profiles; the register has its default model")
    if full and (case.kind != "dedupe" or case.meta["suite"] != "register"):
        raise ValueError("'ours-full' is the register dedupe with managing units; other cases have no notices")
    if case.kind == "dedupe":
        result = linkage.dedupe(left, profile=profile, model=model, decide=full)
        labels = np.asarray(result.clustering.labels, dtype=np.int64)
        return ToolOutput(np.asarray(result.scored.pairs, dtype=np.int64), labels)
    result = linkage.link(left, case.folder / "right.parquet", profile=profile, model=model)
    matched = result.scored.pairs[result.matched]
    return from_links(len(result.left), len(result.right), result.scored.pairs, matched)


def run_cli(case: Case) -> ToolOutput:
    """'ours-cli': ``linkage dedupe left.csv -o OUT`` as an office runs it, in this process (the
    whole child is measured: imports, reading the CSV, every output with the printable
    workbooks).  Its candidates are the pairs it writes (pairs.csv, at or above the review
    threshold), its clusters those of clusters.csv."""
    from linkage.cli import main

    if case.kind != "dedupe" or case.meta["suite"] != "register":
        raise ValueError("'ours-cli' is the register dedupe as the command line runs it")
    source = case.folder / "left.csv"
    with tempfile.TemporaryDirectory() as out:
        if main(["dedupe", str(source), "-o", out, "--quiet"]) != 0:
            raise RuntimeError(f"linkage dedupe {source} failed")
        read = lambda name: pd.read_csv(Path(out) / name, dtype=str, keep_default_na=False,  # noqa: E731
                                        encoding="utf-8-sig")
        clusters, pairs = read("clusters.csv"), read("pairs.csv")
    # positions in the case's own order (the truth's), whatever order clusters.csv lists them in
    ids = pd.Index(pd.read_parquet(case.folder / "left.parquet", columns=["record_id"])["record_id"].astype(str))
    candidates = np.c_[ids.get_indexer(pairs["record_id_l"]), ids.get_indexer(pairs["record_id_r"])]
    candidates = np.sort(candidates.astype(np.int64).reshape(-1, 2), axis=1)
    labels = pd.factorize(clusters["cluster_id"])[0].astype(np.int64)
    return ToolOutput(candidates, labels[pd.Index(clusters["record_id"]).get_indexer(ids)])


def ensure_csv(folder: Path) -> Path:
    """left.csv beside a case's left.parquet (UTF-8 with BOM, as offices export), written once
    outside the timed child so that 'ours-cli' starts from the CSV an office has."""
    path = folder / "left.csv"
    if not path.exists():
        pd.read_parquet(folder / "left.parquet").fillna("").to_csv(path, index=False, encoding="utf-8-sig")
    return path
