"""The generator's error kinds and models: each kind at about its configured rate, and each looks like
what it claims (benchmarks/error_models.py, corruptions.py, id_errors.py, date_errors.py, reissue.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmarks.confusions import FUZZY_FINALS, FUZZY_INITIALS, SURNAME_READINGS, readings, similar_shapes, traditional_forms
from benchmarks.corruptions import ORIGINAL, check_char, id_matrix, matrix_to_str
from benchmarks.date_errors import EXCEL_EPOCH, PLACEHOLDER_1900
from benchmarks.error_kinds import GROUPS, kinds_mask
from benchmarks.error_models import HARSH, OTHER_CLERKS, ErrorModel
from benchmarks.generator import generate_register, main, reissued_pairs, true_match_pairs

REPO = Path(__file__).resolve().parents[1]
OLD_KINDS = {"name_homophone", "name_shape", "name_drop_add", "name_traditional", "name_dot", "name_space", "id_blank",
             "id_garbage", "id_legacy15", "id_wrong_digit", "id_swap", "id_fullwidth", "birth_blank",
             "birth_day_month_swap", "birth_off_by_one", "spouse_name_typo", "spouse_id_typo", "phone_blank",
             "phone_changed"}


@pytest.fixture(scope="module")
def harsh():
    return generate_register(20_000, seed=21, errors="harsh")


@pytest.fixture(scope="module")
def usual():
    return generate_register(20_000, seed=21)


def _frame(g) -> pd.DataFrame:
    """Register and truth side by side, with each record's true birth day and number."""
    frame = pd.concat([g.register, g.truth.drop(columns="record_id")], axis=1)
    p = g.people
    frame["true_birth"] = p["birth"][g.row_person]
    frame["true_id"] = matrix_to_str(id_matrix(p["region"], p["birth"], p["seq"]))[g.row_person]
    frame["true_name"] = p["name"][g.row_person]
    frame["true_phone"] = p["phone"][g.row_person]
    return frame


@pytest.fixture(scope="module")
def hf(harsh):
    return _frame(harsh)


def _with(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows carrying ``kind`` (ID kinds: and not moved to the spouse column)."""
    rows = kinds_mask(frame["errors"].to_numpy(), (kind,))
    if kind.startswith("id_"):
        rows &= ~kinds_mask(frame["errors"].to_numpy(), ("swap_spouse_id",))
    return frame[rows]


def _near(observed: float, expected: float, n: int) -> bool:
    return abs(observed - expected) <= 4 * np.sqrt(max(expected * (1 - expected), 1e-6) / n) + 0.004


# --- rates --------------------------------------------------------------------------------------
def test_harsh_model_shares_of_duplicate_copies(harsh):
    dup = harsh.truth[harsh.truth["kind"] == "duplicate"]["errors"].to_numpy()
    name, ids, date = (kinds_mask(dup, g) for g in ("name", "id", "date"))
    assert abs(name.mean() - 0.45) < 0.035, name.mean()
    assert abs(ids.mean() - 0.35) < 0.035, ids.mean()
    assert abs(date.mean() - 0.25) < 0.035, date.mean()
    assert (name & ids & date).mean() > 0.015  # some carry all three
    assert kinds_mask(dup, ("swap_spouse_id", "phone_in_id")).any()


EXCLUSIVE = ("id_garbage", "id_placeholder", "id_two_digits", "id_swap", "id_drop_add", "id_handwriting",
             "birth_two_digit_year", "birth_excel_serial", "birth_year_month", "birth_placeholder_1900", "birth_lunar",
             "birth_off_by_one", "phone_in_id")


@pytest.mark.parametrize("kind", EXCLUSIVE)
def test_each_exclusive_kind_at_its_rate(hf, kind):
    dup = hf[hf["kind"] == "duplicate"]
    expected = getattr(HARSH.duplicate, kind)
    if kind == "phone_in_id":
        expected *= (dup["true_phone"] != "").mean()
    observed = kinds_mask(dup["errors"].to_numpy(), (kind,)).mean()
    assert _near(observed, expected, len(dup)), (kind, observed, expected)


def test_conditional_kinds_at_their_rates(hf):
    dup = hf[hf["kind"] == "duplicate"]
    err = dup["errors"].to_numpy()
    n = len(dup)
    region = kinds_mask(err, ("id_region_prefix", "id_region_prefix_valid")).mean()
    assert _near(region, HARSH.duplicate.id_region_prefix, n)
    valid = kinds_mask(err, ("id_region_prefix_valid",)).sum() / max(1, kinds_mask(err, ("id_region_prefix", "id_region_prefix_valid")).sum())
    assert 0.35 < valid < 0.65  # both variants, about half each
    old = (dup["true_birth"] < np.datetime64("2000-01-01").astype(np.int64)).to_numpy()
    assert _near(kinds_mask(err, ("id_legacy15",)).mean(), HARSH.duplicate.id_legacy15 * old.mean(), n)
    assert _near(kinds_mask(err, ("sex_wrong",)).mean(), HARSH.duplicate.sex_wrong * 0.99, n)
    first_of_year = (pd.to_datetime(dup["true_birth"], unit="D").dt.day_of_year == 1).to_numpy()
    assert _near(kinds_mask(err, ("birth_placeholder_jan1",)).mean(), HARSH.duplicate.birth_placeholder_jan1 * (1 - first_of_year.mean()), n)
    for kind in ("name_homophone", "name_fuzzy_pinyin", "name_shape", "name_drop_add", "name_traditional"):
        observed = kinds_mask(err, (kind,)).mean()
        assert 0.5 * getattr(HARSH.duplicate, kind) < observed < 1.4 * getattr(HARSH.duplicate, kind) + 0.02, kind


def test_usual_model_is_todays_mix(usual):
    kinds = {k for text in set(usual.truth["errors"]) for k in text.split(";") if k}
    assert kinds <= OLD_KINDS, kinds - OLD_KINDS
    assert (usual.truth["reissued"] == "").all() and (usual.truth["error_model"] == "usual").all()
    assert set(usual.persons["lookalike_kind"]) == {"", "twin", "sister", "namesake"}
    dup = usual.truth[usual.truth["kind"] == "duplicate"]["errors"].to_numpy()
    assert 0.3 < (dup == "").mean() < 0.45  # exact copies
    orig = usual.truth[usual.truth["kind"] != "duplicate"]["errors"].to_numpy()
    assert (orig == "").mean() > 0.7


def test_other_clerks_fewer_exact_copies_more_dialect_and_dates(usual):
    other = generate_register(20_000, seed=21, errors="other_clerks")

    def share(g, what):
        dup = g.truth[g.truth["kind"] == "duplicate"]["errors"].to_numpy()
        return (dup == "").mean() if what == "exact" else kinds_mask(dup, what).mean()

    assert share(other, "exact") < share(usual, "exact") - 0.08
    assert share(other, ("name_fuzzy_pinyin",)) > 0.05 and share(usual, ("name_fuzzy_pinyin",)) == 0
    assert share(other, "date") > 3 * share(usual, "date")
    assert share(other, "name") > share(usual, "name")


# --- what each kind looks like ---------------------------------------------------------------------
def _ymd(days) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = pd.to_datetime(np.asarray(days, dtype=np.int64), unit="D")
    return d.year.to_numpy(), d.month.to_numpy(), d.day.to_numpy()


def _numbers(cell: str) -> list[int]:
    groups = re.findall(r"\d+", cell)
    if len(groups) == 1 and len(groups[0]) in (6, 8):  # 850312, 19850312
        g = groups[0]
        return [int(g[:-4]), int(g[-4:-2]), int(g[-2:])]
    return [int(x) for x in groups]


def test_excel_serials_parse_back_to_the_true_date(hf):
    rows = _with(hf, "birth_excel_serial")
    rows = rows[rows["reissued"] == ""]
    assert len(rows) > 50
    assert rows["birth_date"].str.fullmatch(r"\d{4,5}").all()
    assert (rows["birth_date"].astype(int) + EXCEL_EPOCH == rows["true_birth"]).all()


def test_two_digit_years_and_year_months(hf):
    rows = _with(hf, "birth_two_digit_year")
    rows = rows[rows["reissued"] == ""]
    y, m, d = _ymd(rows["true_birth"])
    parsed = np.array([_numbers(c) for c in rows["birth_date"]])
    assert (parsed[:, 0] == y % 100).all() and (parsed[:, 1] == m).all() and (parsed[:, 2] == d).all()
    rows = _with(hf, "birth_year_month")
    rows = rows[rows["reissued"] == ""]
    y, m, _ = _ymd(rows["true_birth"])
    for cell, yy, mm in zip(rows["birth_date"], y, m):
        digits = re.findall(r"\d+", cell)
        got = (int(digits[0][:4]), int(digits[0][4:])) if len(digits) == 1 else (int(digits[0]), int(digits[1]))
        assert got == (yy, mm), cell


def test_placeholders_and_lunar_birthdays(hf):
    rows = _with(hf, "birth_placeholder_1900")
    assert len(rows) > 20 and rows["birth_date"].map(lambda c: _numbers(c)[:3] == [1900, 1, 1]).all()
    rows = _with(hf, "birth_placeholder_jan1")
    rows = rows[rows["reissued"] == ""]
    y, _, _ = _ymd(rows["true_birth"])
    assert all(_numbers(c)[:3] == [yy, 1, 1] for c, yy in zip(rows["birth_date"], y))
    rows = _with(hf, "birth_lunar")
    rows = rows[rows["reissued"] == ""]
    typed = pd.to_datetime(rows["birth_date"].map(lambda c: "-".join(f"{v:02d}" for v in _numbers(c)[:3])))
    gap = np.abs((typed - pd.to_datetime(rows["true_birth"], unit="D")).dt.days.to_numpy())
    assert len(rows) > 50 and ((gap >= 20) & (gap <= 50)).all()
    assert PLACEHOLDER_1900 == np.datetime64("1900-01-01").astype(np.int64)


def _differ(a: str, b: str) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a, b)) if x != y]


def test_id_kinds_look_like_what_they_claim(hf):
    rows = _with(hf, "id_two_digits")
    assert len(rows) > 100 and all(len(_differ(a.upper(), b)) == 2 for a, b in zip(rows["id_number"], rows["true_id"]))
    rows = _with(hf, "id_handwriting")
    pairs = {frozenset("17"), frozenset("06"), frozenset("38")}
    for a, b in zip(rows["id_number"], rows["true_id"]):
        diff = _differ(a.upper(), b)
        assert 1 <= len(diff) <= 2 and all(frozenset((a[i], b[i])) in pairs for i in diff), (a, b)
    rows = _with(hf, "id_region_prefix_valid")
    assert len(rows) > 30
    for a, b in zip(rows["id_number"].str.upper(), rows["true_id"]):
        assert check_char(a[:17]) == a[17] and a[:6] != b[:6] and a[6:17] == b[6:17]
    rows = _with(hf, "id_region_prefix")
    kept = [a[6:] == b[6:] and a[:6] != b[:6] for a, b in zip(rows["id_number"].str.upper(), rows["true_id"])]
    invalid = [check_char(a[:17]) != a[17] for a in rows["id_number"].str.upper()]
    assert all(kept) and np.mean(invalid) > 0.8
    rows = _with(hf, "id_legacy15_typo")
    assert len(rows) > 50 and (rows["true_birth"] < np.datetime64("2000-01-01").astype(np.int64)).all()
    for a, b in zip(rows["id_number"], rows["true_id"]):
        assert len(a) == 15 and len(_differ(a, b[:6] + b[8:17])) == 1
    assert (rows["id_number"].str.len() == 15).all()
    rows = _with(hf, "id_drop_add")
    assert rows["id_number"].str.len().isin([17, 19]).all()
    rows = _with(hf, "id_placeholder")
    assert rows["id_number"].str.fullmatch(r"\d{14}(0000|\*\*\*\*|XXXX|0001)|\d{6}0{12}").all()
    rows = _with(hf, "phone_in_id")
    assert len(rows) > 5 and (rows["id_number"] == rows["true_phone"]).all()
    rows = _with(hf, "swap_spouse_id")
    assert len(rows) > 10
    her = rows["spouse_id_number"].str.upper().str[:17] == rows["true_id"].str[:17]
    his = rows["id_number"].str.fullmatch(r"\d{17}[\dXx]") & (rows["id_number"].str[16].isin(list("13579")))
    assert (her | his).mean() > 0.8


def test_legacy_numbers_only_for_women_born_before_2000(hf, usual):
    for frame in (hf, _frame(usual)):
        legacy = frame[frame["id_number"].str.fullmatch(r"\d{15}")]
        assert len(legacy) > 20
        assert (legacy["true_birth"] < np.datetime64("2000-01-01").astype(np.int64)).all()


def test_sex_and_name_kinds(hf):
    assert _with(hf, "sex_wrong")["sex"].isin(["男", "1"]).all()
    shapes, trad = similar_shapes(), traditional_forms()
    trad_chars = {t for forms, _ in trad.values() for t in forms}
    rows = _with(hf, "name_traditional")
    assert len(rows) > 50 and rows["name"].map(lambda s: any(c in trad_chars for c in s)).all()
    for kind in ("name_homophone", "name_fuzzy_pinyin", "name_shape", "name_surname_reading"):
        rows = _with(hf, kind)
        rows = rows[~kinds_mask(rows["errors"].to_numpy(), tuple(k for k in GROUPS["name"] + ("name_space", "name_dot")
                                                                  if k != kind))]
        assert len(rows) > (3 if kind == "name_surname_reading" else 50), kind
        for typed, true in zip(rows["name"], rows["true_name"]):
            diff = _differ(typed, true)
            assert len(typed) == len(true) and len(diff) == 1, (kind, typed, true)
            a, b = typed[diff[0]], true[diff[0]]
            ra, rb = set(readings().get(a, ())), set(readings().get(b, ()))
            if kind == "name_homophone":
                assert ra & rb, (a, b)
            elif kind == "name_fuzzy_pinyin":
                assert any(_fuzzy(x, y) for x in ra for y in rb), (a, b)
            elif kind == "name_shape":
                assert a in shapes[b][0], (a, b)
            else:
                assert diff == [0] and b in SURNAME_READINGS and SURNAME_READINGS[b][1] in ra, (a, b)


def _fuzzy(x: str, y: str) -> bool:
    for a, b in FUZZY_INITIALS:
        for p, q in ((a, b), (b, a)):
            if x.startswith(p) and y == q + x[len(p):]:
                return True
    return any(x.endswith(long) and y == x[:-len(long)] + short or x.endswith(short) and y == x[:-len(short)] + long
               for long, short in FUZZY_FINALS)


# --- re-issued numbers and look-alikes --------------------------------------------------------------
def test_reissued_pairs_are_one_woman_with_two_valid_numbers(harsh):
    persons = harsh.persons[harsh.persons["reissued_id_number"] != ""]
    assert len(persons) > 30
    truth = harsh.truth
    for old, new in zip(persons["true_id_number"], persons["reissued_id_number"]):
        assert check_char(old[:17]) == old[17] and check_char(new[:17]) == new[17] and old != new
        diff = set(_differ(old, new))
        assert diff <= set(range(6, 14)) | {17} or diff <= {14, 15, 16, 17}, (old, new)
    both = set(persons["true_id_number"]) & set(persons["reissued_id_number"])
    assert not both and not set(persons["reissued_id_number"]) & set(harsh.persons["true_id_number"])
    held = truth["reissued"] != ""
    assert set(truth.loc[held, "reissued"]) == {"birth", "seq"} and (truth.loc[held, "kind"] == "duplicate").all()
    typed = harsh.register.loc[held.to_numpy(), "id_number"].str.upper().to_numpy()
    number = dict(zip(harsh.persons["person_id"], harsh.persons["reissued_id_number"]))
    assert all(t == number[p] for t, p in zip(typed, truth.loc[held, "person_id"]))
    flagged = reissued_pairs(truth)
    pairs = true_match_pairs(truth)
    assert flagged.shape == (len(pairs),) and flagged.sum() >= held.sum()
    pid = truth["person_id"].to_numpy()
    assert (pid[pairs[flagged, 0]] == pid[pairs[flagged, 1]]).all()


def test_lookalikes_are_distinct_women_that_look_alike(harsh):
    persons = harsh.persons.set_index("person_id")
    p = harsh.people
    index = {pid: i for i, pid in enumerate(harsh.person_id)}
    looks = persons[persons["lookalike_kind"] != ""]
    assert set(looks["lookalike_kind"]) == {"twin", "sister", "mother_daughter", "namesake"}
    for pid, row in looks.iterrows():
        i, j = index[pid], index[row["lookalike_of"]]
        src = persons.loc[row["lookalike_of"]]
        assert pid != row["lookalike_of"] and row["true_id_number"] != src["true_id_number"]
        a, b = row["true_id_number"], src["true_id_number"]
        kind = row["lookalike_kind"]
        if kind == "twin":
            assert set(_differ(a, b)) <= {14, 15, 16, 17} and row["birth_date"] == src["birth_date"]
            assert row["name"] != src["name"] and p["residence_addr_detail_a"][i] == p["residence_addr_detail_a"][j]
        elif kind == "namesake":
            assert row["name"] == src["name"] and row["birth_date"] == src["birth_date"]
        elif kind == "mother_daughter":
            years = abs(p["birth"][i] - p["birth"][j]) / 365.2425
            assert 19.9 <= years <= 30.1 and p["phone"][i] == p["phone"][j]
            assert p["residence_addr_detail_a"][i] == p["residence_addr_detail_a"][j]
            assert p["hukou_code"][i] == p["hukou_code"][j]
        else:
            assert row["name"][:1] == src["name"][:1] and row["birth_date"] != src["birth_date"]
    # their records are never one person in the truth
    truth = harsh.truth.set_index("record_id")
    assert truth["person_id"].isin(looks.index).sum() >= len(looks)


# --- determinism, mixes, names, plain install ---------------------------------------------------------
def test_deterministic_per_seed_for_every_model():
    for errors in ("harsh", {"usual": 1, "other_clerks": 1, "harsh": 1}):
        a, b = generate_register(2000, seed=8, errors=errors), generate_register(2000, seed=8, errors=errors)
        pd.testing.assert_frame_equal(a.register, b.register)
        pd.testing.assert_frame_equal(a.truth, b.truth)
        pd.testing.assert_frame_equal(a.persons, b.persons)
        assert not a.truth["errors"].equals(generate_register(2000, seed=9, errors=errors).truth["errors"])


def test_a_mix_of_models_one_per_woman():
    g = generate_register(6000, seed=3, errors={"usual": 1, "harsh": 1})
    models = g.truth.groupby("person_id")["error_model"].nunique()
    assert (models == 1).all()
    share = (g.persons["error_model"] == "harsh").mean()
    assert 0.45 < share < 0.55
    custom = ErrorModel("mine", ORIGINAL, HARSH.duplicate)
    g = generate_register(1000, seed=3, errors=[custom, OTHER_CLERKS])
    assert set(g.truth["error_model"]) == {"mine", "other_clerks"}
    with pytest.raises(ValueError):
        generate_register(100, errors="nonsense")


def test_names_follow_the_national_frequencies(usual):
    names = usual.persons["name"]
    surnames = names.str[0]
    assert 0.05 < (surnames == "王").mean() < 0.09 and 0.05 < (surnames == "李").mean() < 0.09
    top = names.value_counts()
    assert top.iloc[0] >= 15  # common names are common (王静, 李婷, 张敏 ...)
    assert {"王丽", "李静", "张敏", "王静", "李娜", "王芳"} & set(top.index[:40])
    assert names.str.len().between(2, 4).mean() > 0.99


def test_cli_errors_and_full_truth(tmp_path):
    out, truth = tmp_path / "r.csv", tmp_path / "t.csv"
    assert main(["--size", "400", "--seed", "2", "-o", str(out), "--truth", str(truth), "--errors", "usual=1,harsh=2",
                 "--full-truth"]) == 0
    frame = pd.read_csv(truth, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns) == ["record_id", "person_id", "kind", "errors", "error_model", "reissued"]
    assert set(frame["error_model"]) == {"usual", "harsh"}


def test_generator_runs_without_zhconv():
    code = ("import sys; sys.modules['zhconv'] = None\n"
            "from benchmarks.generator import generate_register\n"
            "g = generate_register(500, seed=1, errors='harsh')\n"
            "assert 'name_traditional' in ';'.join(g.truth['errors'])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_error_report_counts_pairs_per_kind(harsh):
    from benchmarks.error_report import lookalike_merges, recall_by_error_kind

    person = pd.factorize(harsh.truth["person_id"])[0]
    report = recall_by_error_kind(harsh.truth, person).set_index("kind")
    assert (report["recall"] == 1.0).all() and report.loc["all", "true_pairs"] == len(true_match_pairs(harsh.truth))
    assert report.loc["name", "true_pairs"] > report.loc["name_homophone", "true_pairs"] > 0
    alone = recall_by_error_kind(harsh.truth, np.arange(len(person))).set_index("kind")
    assert (alone["found"] == 0).all()
    merges = lookalike_merges(harsh.persons, harsh.truth, person)
    assert set(merges["kind"]) == {"twin", "sister", "mother_daughter", "namesake"} and (merges["merged"] == 0).all()
    everything = lookalike_merges(harsh.persons, harsh.truth, np.zeros(len(person), int))
    assert (everything["merged"] == everything["pairs"]).all()
