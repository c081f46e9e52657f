"""From a conformed register to the normalised columns every stage reads, plus the flags.

``prepare(frame)`` returns ``Records``: the input as it came (``raw``), one normalised row
per input row (``norm``, same positions) and one flag per bad value (``flags``).  A bad value
never raises: it becomes '' / NaT in ``norm`` and a row in ``flags`` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .identity import effective_sex
from .normalize.contact import normalize_addresses, normalize_codes, normalize_phones, normalize_sexes, normalize_texts
from .normalize.dates import normalize_dates
from .normalize.distinct import distinct_map
from .normalize.ids import normalize_ids
from .normalize.names import normalize_names
from .normalize.status import normalize_statuses

DATE_FIELDS = ("birth_date", "marriage_date", "residence_since", "registered_date")

FLAG_MESSAGES = {
    "bad_chars": "身份证号含非法字符",
    "bad_length": "身份证号位数错误(应为18位或15位)",
    "placeholder": "身份证号为占位值,按空白处理",
    "bad_region": "身份证号地区码不在GB/T 2260中",
    "bad_date": "日期无法识别或不存在",
    "bad_check": "身份证号校验位错误",
    "legacy15": "仍在使用15位旧身份证号",
    "bad_sex": "性别无法识别",
    "empty_name": "姓名为空",
}
"""Chinese message for each flag reason."""

FLAG_COLUMNS = ["record_id", "field", "value", "reason", "message"]


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


def prepare(raw: pd.DataFrame) -> Records:
    """Normalise a conformed register (see ``linkage.io.conform``)."""
    n = len(raw)
    norm: dict[str, object] = {"record_id": raw["record_id"].to_numpy(dtype=object)}
    flags: list[pd.DataFrame] = []

    def flag(field: str, mask: np.ndarray, reason: str) -> None:
        if mask.any():
            flags.append(_flags(raw, field, mask, reason))

    unit = normalize_codes(raw["unit_code"])
    norm["unit_code"] = unit
    norm["district"] = distinct_map(unit, lambda codes: codes.str[:6])
    names = normalize_names(raw["name"])
    for part in ("name", "surname", "given", "pinyin"):
        norm[part] = names[part].to_numpy()
    flag("name", norm["name"] == "", "empty_name")

    ids = normalize_ids(raw["id_number"])
    norm.update(id_number=ids.id_number, id_full=ids.id_full, id_status=ids.status, id_birth=ids.birth_date,
                id_sex=ids.sex)
    for reason in ("bad_chars", "bad_length", "placeholder", "bad_region", "bad_date", "bad_check", "legacy15"):
        flag("id_number", ids.status == reason, reason)

    for field in DATE_FIELDS:
        dates = normalize_dates(raw[field])
        norm[field] = dates.values.to_numpy()
        flag(field, dates.status == "bad_date", "bad_date")
    norm["birth"] = np.where(np.isnat(norm["birth_date"]), norm["id_birth"], norm["birth_date"])

    recorded_sex = normalize_sexes(raw["sex"])
    flag("sex", (recorded_sex == "") & (normalize_texts(raw["sex"]) != ""), "bad_sex")
    norm["recorded_sex"] = recorded_sex
    norm["sex"] = effective_sex(recorded_sex, ids.sex, ids.status)  # a valid number's sex digit wins

    spouse = normalize_ids(raw["spouse_id_number"])
    norm.update(spouse_id=spouse.id_full, spouse_id_status=spouse.status, spouse_id_sex=spouse.sex)
    norm["spouse_name"] = normalize_names(raw["spouse_name"])["name"].to_numpy()
    norm["phone"] = normalize_phones(raw["phone"])
    for field in ("hukou_code", "residence_code"):
        norm[field] = normalize_codes(raw[field])
    for field in ("hukou_address", "residence_address", "work_unit"):
        norm[field] = normalize_addresses(raw[field])
    for field in ("marital_status", "contraception", "pregnancy", "ethnicity", "source"):
        norm[field] = normalize_texts(raw[field])
    norm["status"] = normalize_statuses(raw["status"])
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column, values in norm.items():  # one block per column: no dtype inference, no consolidation copy
        # text stays object dtype under pandas 3 too: every stage reads these columns as numpy
        # object arrays, and an arrow-backed 'str' column would be rebuilt as Python strings each time
        frame[column] = pd.Series(values, index=frame.index, dtype=object, copy=False) \
            if values.dtype == object else values
    flag_frame = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=FLAG_COLUMNS)
    return Records(raw=raw, norm=frame, flags=flag_frame)


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
