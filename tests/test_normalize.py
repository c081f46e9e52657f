"""Normalisation of ID numbers, names, dates and small fields."""

import numpy as np
import pandas as pd
import pytest

from linkage.normalize.contact import normalize_codes, normalize_phones, normalize_sexes
from linkage.normalize.dates import normalize_dates
from linkage.codes import region_codes
from linkage.normalize.ids import check_character, normalize_ids, upgrade_legacy
from linkage.normalize.names import (
    clean_name,
    homophone_chars,
    name_pinyin,
    pinyin_variants,
    similar_shaped,
    split_surname,
)

# Published examples of the MOD 11-2 check (GB 11643-1999 appendix and common references).
KNOWN_VALID = ["11010519491231002X", "440524188001010014", "110101199003074477", "330106199001011248"]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_numbers_have_the_right_check_character(number):
    assert check_character(number[:17]) == number[17]
    expected = "bad_date" if number[6:8] == "18" else "valid"  # births before 1900 are not real here
    assert normalize_ids([number]).status[0] == expected


def test_every_single_digit_error_and_adjacent_swap_breaks_the_check():
    number = "11010519491231002X"
    for position in range(17):
        for digit in "0123456789":
            if digit != number[position]:
                typo = number[:position] + digit + number[position + 1 :]
                assert check_character(typo[:17]) != number[17]
        if position < 16 and number[position] != number[position + 1]:
            swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
            assert check_character(swapped[:17]) != number[17]


def test_legacy_15_digit_number_is_upgraded():
    assert upgrade_legacy("110105491231002") == "11010519491231002X"
    ids = normalize_ids(["110105491231002"])
    assert ids.id_number[0] == "11010519491231002X"
    assert ids.status[0] == "legacy15"
    assert ids.birth_date[0] == np.datetime64("1949-12-31")
    assert ids.sex[0] == "F"


@pytest.mark.parametrize(
    "raw, status",
    [
        ("11010519491231002x", "valid"),
        ("１１０１０５１９４９１２３１００２Ｘ", "valid"),
        (" 110105 19491231 002X ", "valid"),
        ("11010519491231002.0", "bad_length"),
        ("", "missing"),
        (None, "missing"),
        ("000000000000000000", "placeholder"),
        ("不详", "placeholder"),
        ("1101051949123100", "bad_length"),
        ("11010519491231002A", "bad_chars"),
        ("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "bad_chars"),  # Arabic-Indic digits are not ID digits
        ("99999919491231002X", "bad_region"),
        ("110105194913310029", "bad_date"),
        ("330182919712180538", "bad_date"),  # born in 9197
        ("110105209912310023", "bad_date"),  # born in the future
        ("110105194912310021", "bad_check"),
    ],
)
def test_id_statuses(raw, status):
    assert normalize_ids([raw]).status[0] == status


def test_invalid_numbers_keep_their_comparison_form_but_derive_nothing():
    ids = normalize_ids(["110105194912310021"])
    assert ids.id_full[0] == "110105194912310021"
    assert ids.id_number[0] == "" and ids.sex[0] == "" and np.isnat(ids.birth_date[0])


def test_region_table_is_gbt2260():
    codes = region_codes()
    assert {"110105", "330106", "440524"} <= codes
    assert "999999" not in codes and len(codes) > 3000


def test_names_are_cleaned_and_simplified():
    assert clean_name(" 王  麗華 ") == "王丽华"
    assert clean_name("张\u3000伟") == "张伟"
    assert clean_name("阿依古丽 • 买买提") == "阿依古丽·买买提"
    assert clean_name(None) == "" and clean_name(float("nan")) == ""


def test_shipped_simplified_table_is_zhconvs_and_runs_without_importing_it():
    import subprocess
    import sys

    from linkage.normalize.names import _simplified_table, simplified_table_from_zhconv

    assert _simplified_table() == simplified_table_from_zhconv()
    assert _simplified_table()["麗"] == "丽" and "王" not in _simplified_table()
    probe = "import sys; from linkage.normalize.names import clean_name; print(clean_name('陳麗華'), 'zhconv' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["陈丽华", "False"]


def test_surnames():
    assert split_surname("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_surname("王芳") == ("王", "芳")
    assert split_surname("欧阳") == ("欧", "阳")


def test_pinyin_has_every_reading_of_a_polyphonic_character():
    assert name_pinyin("张丽") == "zhangli"
    assert set(pinyin_variants("曾乐")) == {"cengle", "cengyue", "zengle", "zengyue"}
    assert homophone_chars("芳", "方") and not homophone_chars("芳", "静")


def test_similar_shapes():
    assert similar_shaped("己", "已") and similar_shaped("未", "末")
    assert not similar_shaped("王", "王") and not similar_shaped("王", "李")


@pytest.mark.parametrize("raw", ["2026-01-31", "20260131", "2026/1/31", "2026.01.31", "2026年1月31日",
                                 "2026-01-31 00:00:00", pd.Timestamp("2026-01-31")])
def test_date_forms(raw):
    dates = normalize_dates([raw])
    assert dates.values.iloc[0] == pd.Timestamp("2026-01-31") and dates.status[0] == "ok"


@pytest.mark.parametrize("raw, status", [("2026-02-30", "bad_date"), ("明天", "bad_date"), ("", "missing"),
                                         ("9197-12-18", "bad_date"), ("0001-01-01", "bad_date"),
                                         ("20261331", "bad_date"), (None, "missing")])
def test_bad_dates_are_flagged_not_raised(raw, status):
    dates = normalize_dates([raw])
    assert dates.status[0] == status and pd.isna(dates.values.iloc[0])


def test_phone_code_sex():
    assert list(normalize_phones(["+86 138-0013-8000", "00000000", None])) == ["13800138000", "", ""]
    assert list(normalize_codes(["330106001.0", 330106001])) == ["330106001", "330106001"]
    assert list(normalize_sexes(["女", "男", "2", "1", "F", "", "未知"])) == ["F", "M", "F", "M", "F", "", ""]
