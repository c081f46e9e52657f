"""Splink 5 with the DuckDB backend, configured as its documentation and examples do.

FEBRL: the settings of Splink's own febrl3 (dedupe) and febrl4 (link, the "detailed model")
examples: blocking rules on soc_sec_id, names, date of birth and postcode;
``NameComparison``, ``DateOfBirthComparison``, ``DamerauLevenshteinAtThresholds`` and
``ExactMatch`` with term-frequency adjustments.  Register: the same kinds of comparison
over the columns a careful user gives it (name and its pinyin, ID number, birth date,
phone, addresses, spouse; not sex, which is constant in a register of women).  Training as
the tutorials do it: the probability that two random records match from deterministic
rules; u by ``estimate_u_using_random_sampling`` (max_pairs 1e6, the value of Splink's own
FEBRL examples; its docs suggest 1e7 or more for a final model, which costs about ten times
as long); m by ``estimate_parameters_using_expectation_maximisation`` on two blocking rules; then
``predict`` and ``cluster_pairwise_predictions_at_threshold`` (0.95 for dedupe as in the
deduplication tutorial, 0.99 for the febrl4 link as in that example).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from benchmarks.anchors.prep import febrl_frame, register_frame
from benchmarks.cases import Case
from benchmarks.output import ToolOutput


def _settings(case: Case):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    link_type = "dedupe_only" if case.kind == "dedupe" else "link_only"
    if case.meta["suite"] == "febrl":
        blocking = [block_on("soc_sec_id"), block_on("given_name", "surname"),
                    "l.given_name = r.surname and l.surname = r.given_name", block_on("date_of_birth"),
                    block_on("street_number", "address_1"), block_on("postcode")]
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ]
        deterministic = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
        em_rules = [block_on("date_of_birth"), block_on("postcode")]
    else:
        blocking = [block_on("id_number"), block_on("substr(id_number, 1, 14)"), block_on("substr(id_number, 7, 12)"),
                    block_on("name_pinyin", "birth_date"), block_on("phone"), block_on("spouse_id_number")]
        name = cl.CustomComparison(output_column_name="name", comparison_levels=[
            cll.NullLevel("name"), cll.ExactMatchLevel("name").configure(tf_adjustment_column="name"),
            cll.ExactMatchLevel("name_pinyin"), cll.JaroWinklerLevel("name_pinyin", 0.92),
            cll.JaroWinklerLevel("name_pinyin", 0.8), cll.ElseLevel()])
        comparisons = [
            name,
            cl.DamerauLevenshteinAtThresholds("id_number", [1, 2]),
            cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d",
                                     invalid_dates_as_null=True),
            cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("residence_address", [2, 5]),
            cl.LevenshteinAtThresholds("hukou_address", [2, 5]),
            cl.ExactMatch("spouse_id_number"),
        ]
        deterministic = [block_on("id_number"), block_on("name", "birth_date")]
        em_rules = [block_on("birth_date"), block_on("substr(id_number, 1, 6)", "name_pinyin")]
    settings = SettingsCreator(unique_id_column_name="rid", link_type=link_type,
                               blocking_rules_to_generate_predictions=blocking, comparisons=comparisons)
    return settings, deterministic, em_rules


def _frame(case: Case, side: str) -> pd.DataFrame:
    table = case.table(side)
    frame = febrl_frame(table) if case.meta["suite"] == "febrl" else register_frame(table)
    frame.insert(0, "rid", np.arange(len(frame), dtype=np.int64))
    return frame


def run(case: Case) -> ToolOutput:
    """Train, predict and cluster with Splink; candidates are every pair ``predict`` scored."""
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    db_api = DuckDBAPI()
    sides = ["left"] if case.kind == "dedupe" else ["left", "right"]
    frames = {side: _frame(case, side) for side in sides}
    tables = [db_api.register(frames[side], table_name=f"input_{side}") for side in sides]
    settings, deterministic, em_rules = _settings(case)
    linker = Linker(tables if len(tables) > 1 else tables[0], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule,
                                                                           estimate_without_term_frequencies=True)
    predictions = linker.inference.predict()
    threshold = 0.95 if case.kind == "dedupe" else 0.99
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions,
                                                                          threshold_match_probability=threshold)
    return _output(case, frames, predictions, clusters)


def _output(case: Case, frames: dict[str, pd.DataFrame], predictions, clusters) -> ToolOutput:
    scored = predictions.as_duckdbpyrelation()
    if case.kind == "dedupe":
        pairs = scored.select("rid_l, rid_r").fetchnumpy()
        table = clusters.as_duckdbpyrelation().select("rid, cluster_id").fetchnumpy()
        labels = np.empty(len(frames["left"]), dtype=np.int64)
        labels[table["rid"]] = pd.factorize(table["cluster_id"])[0]
        return ToolOutput(np.stack([pairs["rid_l"], pairs["rid_r"]], axis=1).astype(np.int64), labels)
    pairs = scored.select("source_dataset_l, rid_l, rid_r").fetchnumpy()
    flip = np.asarray(pairs["source_dataset_l"]) != "input_left"
    left_rid = np.where(flip, pairs["rid_r"], pairs["rid_l"])
    right_rid = np.where(flip, pairs["rid_l"], pairs["rid_r"])
    table = clusters.as_duckdbpyrelation().select("source_dataset, rid, cluster_id").fetchnumpy()
    n_left = len(frames["left"])
    position = np.asarray(table["rid"], dtype=np.int64) + np.where(np.asarray(table["source_dataset"]) == "input_left",
                                                                   0, n_left)
    labels = np.empty(n_left + len(frames["right"]), dtype=np.int64)
    labels[position] = pd.factorize(table["cluster_id"])[0]
    return ToolOutput(np.stack([left_rid, right_rid], axis=1).astype(np.int64), labels)
