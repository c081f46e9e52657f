"""This engine as a benchmarked tool: ``linkage.dedupe`` / ``linkage.link`` on a case.

The register suite runs the default register profile and the default model that ships
with the package.  FEBRL runs the generic profile (``linkage.generic.FEBRL``) with a model
fitted on the case's labelled training tables (the other FEBRL data sets), which is what a
user with labels does; fitting is inside the timed process.  ``unsupervised=True`` (the
tool 'ours-em', FEBRL only) fits the generic profile's Fellegi-Sunter model by EM on the
evaluated table(s) themselves, with no labels at all (``linkage.generic_em``).
"""

from __future__ import annotations

import numpy as np

import linkage
from benchmarks.cases import Case
from benchmarks.output import ToolOutput, from_links


def run(case: Case, *, unsupervised: bool = False) -> ToolOutput:
    profile = model = None
    if case.meta["suite"] == "febrl":
        from linkage.generic import FEBRL, fit_model
        from linkage.generic_em import fit_unsupervised

        other = case.table("right") if case.kind == "link" else None
        profile = FEBRL
        if unsupervised:
            model = fit_unsupervised(FEBRL, case.table("left"), other)
        else:
            model = fit_model(FEBRL, case.training())
    elif unsupervised:
        raise ValueError("the unsupervised model is for generic profiles; the register has its default model")
    if case.kind == "dedupe":
        result = linkage.dedupe(case.table("left"), profile=profile, model=model)
        labels = np.asarray(result.clustering.labels, dtype=np.int64)
        return ToolOutput(np.asarray(result.scored.pairs, dtype=np.int64), labels)
    left, right = case.table("left"), case.table("right")
    result = linkage.link(left, right, profile=profile, model=model)
    matched = result.scored.pairs[result.matched]
    return from_links(len(left), len(right), result.scored.pairs, matched)
