"""This engine as a benchmarked tool: ``linkage.dedupe`` / ``linkage.link`` on a case.

The register suite runs the default register profile and the default model that ships
with the package.  FEBRL runs the generic profile (``linkage.generic.FEBRL``) with a model
fitted on the case's labelled training tables (the other FEBRL data sets), which is what a
user with labels does; fitting is inside the timed process.
"""

from __future__ import annotations

import numpy as np

import linkage
from benchmarks.cases import Case
from benchmarks.output import ToolOutput, from_links


def run(case: Case) -> ToolOutput:
    profile = model = None
    if case.meta["suite"] == "febrl":
        from linkage.generic import FEBRL, fit_model

        profile, model = FEBRL, fit_model(FEBRL, case.training())
    if case.kind == "dedupe":
        result = linkage.dedupe(case.table("left"), profile=profile, model=model)
        labels = np.asarray(result.clustering.labels, dtype=np.int64)
        return ToolOutput(np.asarray(result.scored.pairs, dtype=np.int64), labels)
    left, right = case.table("left"), case.table("right")
    result = linkage.link(left, right, profile=profile, model=model)
    matched = result.scored.pairs[result.matched]
    return from_links(len(left), len(right), result.scored.pairs, matched)
