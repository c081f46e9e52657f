"""End to end: the library calls and the command line on real-shaped registers."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import linkage
from benchmarks.generator import generate_extract, generate_register, true_match_pairs
from linkage.cli import main
from tests.conftest import tiny_register

SAMPLE = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "sample_register.csv"


@pytest.fixture(scope="module")
def generated():
    return generate_register(n_records=4000, seed=3, district="330106", as_of="2026-11-30")


@pytest.fixture(scope="module")
def deduped(generated):
    return linkage.dedupe(generated.register, district="330106", as_of="2026-11-30")


def _pairs_in_clusters(labels: np.ndarray) -> set[tuple[int, int]]:
    frame = pd.DataFrame({"label": labels, "row": np.arange(len(labels))})
    merged = frame.merge(frame, on="label")
    merged = merged[merged.row_x < merged.row_y]
    return set(zip(merged.row_x, merged.row_y))


def test_pairwise_f1_on_a_generated_register(generated, deduped):
    truth = set(map(tuple, true_match_pairs(generated.truth).tolist()))
    found = _pairs_in_clusters(deduped.clustering.labels)
    precision = len(truth & found) / len(found)
    recall = len(truth & found) / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.98, (precision, recall)


def test_every_record_is_in_clusters_exactly_once(generated, deduped):
    clusters = deduped.clusters
    assert sorted(clusters["record_id"]) == sorted(generated.register["record_id"])
    assert clusters["record_id"].is_unique
    sizes = clusters.groupby("cluster_id")["record_id"].transform("size")
    assert (sizes == clusters["cluster_size"]).all()


def test_pairs_table_meets_the_contract(deduped):
    pairs = deduped.pairs
    assert {"record_id_l", "record_id_r", "probability", "reasons"} <= set(pairs.columns)
    assert pairs["probability"].between(deduped.scored.review_threshold, 1).all()
    assert (pairs["reasons"] != "").all()
    assert pairs["probability"].is_monotonic_decreasing


def test_decisions_and_notices_for_each_group(deduped):
    decisions = deduped.decisions
    in_groups = deduped.clusters.query("cluster_size > 1")["cluster_id"].nunique()
    assert len(decisions) == in_groups  # SCHEMA: every cluster of two or more records has its row
    assert set(decisions["status"]) <= {"decided", "undetermined", "inactive"}
    inactive = set(decisions.loc[decisions["status"] == "inactive", "cluster_id"])
    assert not inactive & set(deduped.notices["cluster_id"])
    notices = deduped.notices
    assert len(notices) > 0
    undetermined = set(decisions.loc[decisions["status"] == "undetermined", "cluster_id"])
    assert not undetermined & set(notices["cluster_id"])


def test_write_produces_the_files_of_the_contract(tmp_path, deduped):
    deduped.write(tmp_path)
    for name in ("clusters", "pairs", "decisions", "notices", "flags"):
        frame = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
        assert len(frame) == len(deduped.tables()[name])
    assert list((tmp_path / "printable").glob("*.xlsx"))


def test_decide_false_clusters_the_same_and_writes_no_notices(tmp_path, generated, deduped):
    only = linkage.dedupe(generated.register, district="330106", as_of="2026-11-30", decide=False)
    assert (only.cluster_ids == deduped.cluster_ids).all()
    assert len(only.decisions) == len(only.notices) == len(only.verification) == 0
    written = {path.name for path in only.write(tmp_path)}
    assert {"clusters.csv", "pairs.csv", "flags.csv"} <= written
    assert not written & {"decisions.csv", "notices.csv", "verification.csv"}
    assert not (tmp_path / "printable").exists()


def test_link_accounts_for_every_record(generated):
    extract = generate_extract(generated, n_records=600, seed=4)
    result = linkage.link(generated.register, extract.extract)
    links = result.links
    linked_right = set(links["record_id_r"])
    unmatched = set(result.unmatched_right["record_id"])
    assert linked_right | unmatched == set(extract.extract["record_id"]) and not linked_right & unmatched
    truth = extract.truth.set_index("record_id")
    true_links = {(r, e) for e, rs in truth["register_record_ids"].items() for r in rs.split(";") if r}
    found = set(zip(links["record_id_l"], links["record_id_r"]))
    assert len(found & true_links) / len(found) >= 0.97
    assert len({e for _, e in found & true_links}) / len({e for _, e in true_links}) >= 0.95


def test_bad_rows_never_crash_and_are_flagged():
    bad = tiny_register().assign(id_number=["abc", "", "123", "110105194913310029", "不详"],
                                 birth_date=["1990-02-30", "", "??", "", "19900101"], name=["", "王方", "", "", "李静"])
    result = linkage.dedupe(bad)
    assert len(result.clusters) == 5
    assert {"bad_chars", "bad_length", "bad_date", "empty_name"} <= set(result.flags["reason"])


def test_empty_register_gives_empty_outputs(tmp_path):
    result = linkage.dedupe(tiny_register().iloc[:0])
    assert len(result.clusters) == 0 and len(result.pairs) == 0 and len(result.notices) == 0
    result.write(tmp_path)
    assert (tmp_path / "clusters.csv").exists()


def test_command_line_no_decide_writes_clusters_but_no_notices(tmp_path, capsys):
    assert main(["dedupe", str(SAMPLE), "-o", str(tmp_path), "--no-decide", "-q"]) == 0
    assert "通报: 0\n" in capsys.readouterr().out
    clusters = pd.read_csv(tmp_path / "clusters.csv", dtype=str, encoding="utf-8-sig")
    assert len(clusters) == 2000 and (clusters["cluster_size"].astype(int) > 1).any()
    assert not (tmp_path / "notices.csv").exists() and not (tmp_path / "decisions.csv").exists()


def test_command_line_on_the_sample_register(tmp_path, capsys):
    code = main(["dedupe", str(SAMPLE), "-o", str(tmp_path), "--district", "330106", "--as-of", "2026-11-30", "-q"])
    assert code == 0
    out = capsys.readouterr().out
    assert "记录数: 2,000" in out and "重复组(2条及以上记录)" in out and "clusters.csv: 2,000行(每条记录一行)" in out
    assert main(["dedupe", str(SAMPLE), "-o", str(tmp_path), "--lang", "en", "-q"]) == 0
    assert "records: 2,000" in capsys.readouterr().out
    clusters = pd.read_csv(tmp_path / "clusters.csv", dtype=str, encoding="utf-8-sig")
    assert len(clusters) == 2000


def test_command_line_reports_a_bad_file_clearly(tmp_path, capsys):
    path = tmp_path / "r.csv"
    tiny_register().drop(columns=["name"]).to_csv(path, index=False)
    assert main(["dedupe", str(path), "-o", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "r.csv" in err and "姓名(name)" in err


def test_command_line_link(tmp_path, generated):
    left, right = tmp_path / "l.csv", tmp_path / "r.parquet"
    generated.register.iloc[:500].to_csv(left, index=False)
    generated.register.iloc[:500].assign(record_id=lambda f: "X" + f["record_id"]).to_parquet(right)
    assert main(["link", str(left), str(right), "-o", str(tmp_path / "out"), "-q"]) == 0
    links = pd.read_csv(tmp_path / "out" / "links.csv", dtype=str, encoding="utf-8-sig")
    assert len(links) >= 500
