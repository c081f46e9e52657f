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

import numpy as np

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
