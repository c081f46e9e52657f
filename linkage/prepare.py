"""From a conformed register to the normalised columns every stage reads, plus the flags.

``prepare(frame)`` returns ``Records``: the input as it came (``raw``), one normalised row
per input row (``norm``, same positions) and one flag per bad value (``flags``).  A bad value
never raises: it becomes '' / NaT in ``norm`` and a row in ``flags`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields

import numpy as np
import pandas as pd

from .codes import well_formed_codes
from .identity import effective_sex
from .normalize.contact import normalize_addresses, normalize_codes, normalize_phones, normalize_sexes, normalize_texts
from .normalize.dates import normalize_dates
from .normalize.distinct import distinct_map
from .normalize.frequency import add_frequencies
from .normalize.household import normalize_household_types, normalize_hukou_natures
from .normalize.ids import IdColumns, normalize_ids
from .normalize.names import normalize_names
from .normalize.status import normalize_statuses
from .parallel import side_by_side

DATE_FIELDS = ("birth_date", "marriage_date", "residence_since", "registered_date")

FLAG_MESSAGES = {
    "bad_chars": "身份证号含非法字符",
    "bad_length": "身份证号位数错误(应为18位或15位)",
    "placeholder": "身份证号为占位值,按空白处理",
    "masked": "身份证号后四位为占位值(如0000、XXXX),只读前14位的地区和出生日期",
    "bad_region": "身份证号地区码不在GB/T 2260中",
    "bad_date": "日期无法识别或不存在",
    "bad_check": "身份证号校验位错误",
    "legacy15": "仍在使用15位旧身份证号",
    "bad_sex": "性别无法识别",
    "empty_name": "姓名为空",
    "placeholder_date": "日期为占位值(如1900-01-01),按空白处理",
    "month_only": "日期只有年月,请补全日",
    "year_only": "日期只有年份,请补全月日",
    "two_digit_year": "年份只写了两位,已按19xx/20xx读取,请核对",
    "excel_serial": "日期为Excel序号,已换算为日期,请核对",
    "swapped_ids": "本人与配偶身份证号填反(本人一栏为男性号码,配偶一栏为女性号码),已对调读取,请更正",
    "phone_in_id": "身份证号一栏填的是电话号码,已作联系电话读取,请更正",
    "bad_code": "行政区划代码无法识别或不在GB/T 2260中(应为6位县级、9位街道或12位社区代码)",
    "bad_hukou_nature": "户口性质无法识别(应为农业、非农业、居民或1、2、3),按空白处理",
    "bad_household_type": "户别无法识别(应为家庭户、集体户、空挂户),按空白处理",
    "merged_cell": "原表中是合并单元格,已按合并区域左上角的值填入,请核对",
}
"""Chinese message for each flag reason."""

FLAG_COLUMNS = ["record_id", "field", "value", "reason", "message"]
CODE_FIELDS = ("hukou_code", "residence_code", "spouse_hukou_code", "spouse_residence_code")
ADDRESS_FIELDS = ("hukou_address", "residence_address", "work_unit", "spouse_work_unit")
NATURE_FIELDS = ("hukou_nature", "spouse_hukou_nature")
TEXT_FIELDS = ("marital_status", "contraception", "pregnancy", "ethnicity", "remarks", "source")


@dataclass(frozen=True)
class Records:
    """A register ready for blocking and scoring.

    raw:   the conformed input, shape (n, k), strings
    norm:  normalised columns, shape (n, m), same row positions as ``raw``
    flags: one row per bad value: record_id, field, value, reason, message
    """

    raw: pd.DataFrame
    norm: pd.DataFrame
    flags: pd.DataFrame

    def __len__(self) -> int:
        return len(self.norm)


def prepare(raw: pd.DataFrame, *, women: bool = True) -> Records:
    """Normalise a conformed register (see ``linkage.io.conform``).  ``women``: every record is
    a woman's (the WIS register), so a man's number in her column is her husband's (see
    ``_unswap``); False for a shared-platform extract, which holds men too."""
    n = len(raw)
    norm: dict[str, object] = {"record_id": raw["record_id"].to_numpy(dtype=object)}
    flags: list[pd.DataFrame] = []

    def flag(field: str, mask: np.ndarray, reason: str) -> None:
        if mask.any():
            flags.append(_flags(raw, field, mask, reason))

    # names and numbers here, the other columns in a second process where there is a second core
    (names, spouse_name, ids, spouse), other = side_by_side(lambda: _names_and_ids(raw), lambda: _other_columns(raw))
    unit = other["unit_code"]
    norm["unit_code"] = unit
    norm["district"] = distinct_map(unit, lambda codes: codes.str[:6])
    for part in ("name", "surname", "given", "pinyin"):
        norm[part] = names[part].to_numpy()
    flag("name", norm["name"] == "", "empty_name")

    ids, spouse, swapped = _unswap(ids, spouse) if women else (ids, spouse, np.zeros(n, dtype=bool))
    flag("id_number", swapped, "swapped_ids")
    norm.update(id_number=ids.id_number, id_full=ids.id_full, id_status=ids.status, id_birth=ids.birth_date,
                id_sex=ids.sex, id_digits=ids.digits)
    for reason in ("bad_chars", "bad_length", "placeholder", "masked", "bad_region", "bad_date", "bad_check",
                   "legacy15"):
        flag("id_number", (ids.status == reason) & ~swapped, reason)
    phone_in_id = np.isin(ids.status, ("bad_length", "bad_chars"))
    odd = np.flatnonzero(phone_in_id)  # a phone is never a number of the right length: only these rows
    phone_in_id[odd] = pd.Series(ids.id_clean[odd], dtype=object).astype(str) \
        .str.fullmatch(r"1[3-9][0-9]{9}").to_numpy(dtype=bool)
    flag("id_number", phone_in_id, "phone_in_id")

    for field in DATE_FIELDS:
        dates = other[field]
        norm[field] = dates["values"]
        flag(field, dates["status"] == "bad_date", "bad_date")
        flag(field, dates["status"] == "placeholder", "placeholder_date")
        flag(field, dates["status"] == "month", "month_only")
        flag(field, dates["status"] == "year", "year_only")
        flag(field, dates["form"] == "two_digit_year", "two_digit_year")
        flag(field, dates["form"] == "excel_serial", "excel_serial")
    recorded_precision = other["birth_date"]["precision"]
    # her birth date: the recorded one, else the one in her ID number; a recorded month or year
    # alone gives way to a full date in the ID number
    from_id = ~np.isnat(norm["id_birth"]) & ((recorded_precision == "") | ((recorded_precision != "D")
                                                                          & _same_period(norm, recorded_precision)))
    norm["birth"] = np.where(from_id, norm["id_birth"], norm["birth_date"])
    norm["birth_precision"] = np.where(from_id, "D", recorded_precision).astype(object)

    recorded_sex = other["sex"]
    flag("sex", (recorded_sex == "") & other["sex:typed"], "bad_sex")
    norm["recorded_sex"] = recorded_sex
    norm["sex"] = effective_sex(recorded_sex, ids.sex, ids.status)  # a valid number's sex digit wins

    norm.update(spouse_id=spouse.id_full, spouse_id_status=spouse.status, spouse_id_sex=spouse.sex)
    norm["spouse_name"] = spouse_name
    phones = other["phone"]
    norm["phone"] = np.where(phone_in_id & (phones == ""), ids.id_clean, phones).astype(object)
    for field in CODE_FIELDS:
        norm[field] = other[field]
    for field in ("spouse_hukou_code", "spouse_residence_code"):  # the spouse's places: read by the couple caliber
        flag(field, ~well_formed_codes(norm[field]) & other[f"{field}:typed"], "bad_code")
    for field in ADDRESS_FIELDS:
        norm[field] = other[field]
    for field in NATURE_FIELDS:
        norm[field] = other[field]
        flag(field, (norm[field] == "") & other[f"{field}:typed"], "bad_hukou_nature")
    norm["household_type"] = other["household_type"]
    flag("household_type", (norm["household_type"] == "") & other["household_type:typed"], "bad_household_type")
    for field in TEXT_FIELDS:
        norm[field] = other[field]
    norm["status"] = other["status"]
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column, values in norm.items():  # one block per column: no dtype inference, no consolidation copy
        # text stays object dtype under pandas 3 too: every stage reads these columns as numpy
        # object arrays, and an arrow-backed 'str' column would be rebuilt as Python strings each time
        frame[column] = pd.Series(values, index=frame.index, dtype=object, copy=False) \
            if values.dtype == object else values
    add_frequencies(frame)  # how common each name, birth date, phone and address is here
    for field, rows in _merged_cells(raw).items():  # a workbook's merged cells, filled from their anchor
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        flag(field, mask, "merged_cell")
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    return Records(raw=raw, norm=frame, flags=flag_frame)


def _names_and_ids(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, IdColumns, IdColumns]:
    """(her names (n, 4), the spouse's name object (n,), her numbers, his numbers), as read."""
    return (normalize_names(raw["name"]), normalize_names(raw["spouse_name"])["name"].to_numpy(),
            normalize_ids(raw["id_number"]), normalize_ids(raw["spouse_id_number"]))


def _other_columns(raw: pd.DataFrame) -> dict[str, object]:
    """Every normalised column but the names and numbers, as numpy arrays of shape (n,) (dates:
    a dict of values, status, form, precision), and for each field whose bad values are flagged
    as unreadable, ``<field>:typed``: bool (n,), the raw cell held something."""
    out: dict[str, object] = {"unit_code": normalize_codes(raw["unit_code"])}
    for field in DATE_FIELDS:
        dates = normalize_dates(raw[field])
        out[field] = {"values": dates.values.to_numpy(), "status": np.asarray(dates.status),
                      "form": np.asarray(dates.form), "precision": np.asarray(dates.precision)}
    out["sex"] = normalize_sexes(raw["sex"])
    out["phone"] = normalize_phones(raw["phone"])
    for field in CODE_FIELDS:
        out[field] = normalize_codes(raw[field])
    for field in ADDRESS_FIELDS:
        out[field] = normalize_addresses(raw[field])
    for field in NATURE_FIELDS:
        out[field] = normalize_hukou_natures(raw[field])
    out["household_type"] = normalize_household_types(raw["household_type"])
    for field in TEXT_FIELDS:
        out[field] = normalize_texts(raw[field])
    out["status"] = normalize_statuses(raw["status"])
    for field in ("sex", "spouse_hukou_code", "spouse_residence_code", *NATURE_FIELDS, "household_type"):
        out[f"{field}:typed"] = np.asarray(normalize_texts(raw[field]) != "", dtype=bool)
    return out


def _merged_cells(raw: pd.DataFrame) -> dict[str, list[int]]:
    """column -> frame positions of cells ``linkage.io.read_table`` filled from a merge anchor."""
    cells: dict[str, list[int]] = {}
    for position, column in raw.attrs.get("merged_cells", ()):
        if column in raw.columns and position < len(raw):
            cells.setdefault(column, []).append(position)
    return cells


def _unswap(ids: IdColumns, spouse: IdColumns) -> tuple[IdColumns, IdColumns, np.ndarray]:
    """Her number typed in the spouse column and his in hers: where her column holds a valid male
    number (a woman's record) and the spouse column holds a number that is not a valid male one
    (hers, perhaps with a typo of its own), the two are read the other way round.
    Returns (her ids, his ids, swapped bool (n,))."""
    spouse_typed = ~np.isin(spouse.status, ("missing", "placeholder")) & ~((spouse.status == "valid")
                                                                          & (spouse.sex == "M"))
    swapped = (ids.status == "valid") & (ids.sex == "M") & spouse_typed
    if not swapped.any():
        return ids, spouse, swapped
    fields = [f.name for f in dataclass_fields(IdColumns)]
    mine = {f: np.where(swapped, getattr(spouse, f), getattr(ids, f)) for f in fields}
    his = {f: np.where(swapped, getattr(ids, f), getattr(spouse, f)) for f in fields}
    return IdColumns(**mine), IdColumns(**his), swapped


def _same_period(norm: dict, precision: np.ndarray) -> np.ndarray:
    """bool (n,): the ID number's birth date lies in the recorded month ('M') or year ('Y')."""
    recorded = pd.DatetimeIndex(norm["birth_date"])
    encoded = pd.DatetimeIndex(norm["id_birth"])
    same_year = (recorded.year == encoded.year)
    return np.where(precision == "M", same_year & (recorded.month == encoded.month), same_year)


def _flags(raw: pd.DataFrame, field: str, mask: np.ndarray, reason: str) -> pd.DataFrame:
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    return pd.DataFrame(
        {
            "record_id": raw["record_id"].to_numpy()[rows],
            "field": field,
            "value": raw[field].to_numpy()[rows],
            "reason": reason,
            "message": FLAG_MESSAGES[reason],
        },
        columns=FLAG_COLUMNS,
    )
