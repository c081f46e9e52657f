"""Birth clues with deadlines (违法生育线索): shared-platform births with no reported child.

``--births FILE`` holds births from the shared platform (health birth records, public-security
registrations): the mother's name and ID number, the child's birth date and sex (BIRTH_HEADERS
lists every column read, in English or Chinese).  Each birth is linked to the register with the
engine's link mode (``linkage.link``: the same blocking, features, model and "cannot be one
woman" rule as the dedupe), as a woman's record made of the mother's columns; the children of
every register record she links to are then searched for the child (birth dates at most
``date_tolerance_days`` apart, sexes not contradicting).  Each birth gets a status:

- 已上报: the child is in the children table (``child_id`` names it);
- 本单位待上报: she links to a record in management of this district, the child is not reported;
- 非本单位: she links only to records of another district (or to records no longer in
  management), or she links to none and the birth's own places lie outside the district: a
  notice to ``to_unit_code``;
- 待核实: no register record is hers and the birth does not say she lives elsewhere;

and a due date (``--due DATE``, or the new date of a 延期报告 row).  An open clue (本单位待上报,
待核实) past its due date at ``as_of`` is 逾期; ``open_status`` keeps what it was.  deferrals.csv
(延期报告: clue_id, reason, new_date) lists every open clue for the street to fill in and hand
back with ``--deferrals FILE`` on the next run: a deferred clue is due on its new date.  A clue
id is ``B-`` and the birth's record id, so it is the same clue in every run.  Read 计划外 as 政策外.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..codes import street_of
from ..errors import SchemaError
from ..io import conform, load, read_table
from ..normalize.contact import normalize_sexes, normalize_texts
from ..normalize.dates import as_of_date, normalize_dates
from ..normalize.ids import normalize_ids
from ..normalize.status import is_inactive
from ..pipeline import link
from ..prepare import Records, prepare
from .base import isin
from .calendar import date_option
from .children_prepare import POLICY_ALIASES, prepare_children
from .missing import district_codes

REPORTED, OURS, OTHERS, VERIFY, OVERDUE = "已上报", "本单位待上报", "非本单位", "待核实", "逾期"
CLUE_STATUSES = (REPORTED, OURS, OTHERS, VERIFY, OVERDUE)
OPEN_STATUSES = (OURS, VERIFY)
"""Statuses a street still has to settle (and that fall overdue)."""
BIRTH_HEADERS: dict[str, tuple[str, ...]] = {
    "record_id": ("记录编号", "出生记录编号", "编号"),
    "source": ("来源",),
    "mother_name": ("母亲姓名", "姓名"),
    "mother_id_number": ("母亲身份证号", "身份证号"),
    "mother_birth_date": ("母亲出生日期",),
    "child_name": ("子女姓名", "婴儿姓名"),
    "child_id_number": ("子女身份证号", "婴儿身份证号"),
    "child_sex": ("子女性别", "婴儿性别", "性别"),
    "child_birth_date": ("子女出生日期", "婴儿出生日期", "出生日期"),
    "father_name": ("父亲姓名", "配偶姓名"),
    "father_id_number": ("父亲身份证号", "配偶身份证号"),
    "hukou_code": ("户籍地代码", "母亲户籍地代码"),
    "residence_code": ("现居住地代码", "母亲现居住地代码"),
    "residence_address": ("现居住地址", "母亲现居住地址"),
    "policy": ("政策属性",),
}
"""Births file: English column -> the Chinese headers it may come under."""
CLUE_COLUMNS = ["clue_id", "birth_record_id", "source", "mother_name", "mother_id_number", "child_birth_date",
                "child_sex", "policy", "status", "open_status", "unit_code", "street_code", "to_unit_code",
                "mother_record_id", "mother_unit_code", "probability", "child_id", "due_date", "deferred_to",
                "deferral_reason", "reason", "notice"]
"""clues.csv: one row per birth of the births file; ``notice`` is the text of the notice to the
other unit for a 非本单位 clue ('' otherwise)."""
DEFERRAL_COLUMNS = ["clue_id", "unit_code", "mother_name", "mother_id_number", "child_birth_date", "status",
                    "due_date", "reason", "new_date"]
"""deferrals.csv (延期报告): an open clue per row; the street fills reason and new_date."""
DEFERRAL_HEADERS = {"线索编号": "clue_id", "延期原因": "reason", "原因": "reason", "延期至": "new_date",
                    "新期限": "new_date", "新的期限": "new_date"}
DATE_TOLERANCE_DAYS = 31


def read_births(source: Any) -> pd.DataFrame:
    """The births file as text with the English columns of BIRTH_HEADERS ('' where absent).

    Raises SchemaError naming the file when record_id, the child's birth date, or both the
    mother's name and ID number are absent.
    """
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_table(source)
    name = "<frame>" if isinstance(source, pd.DataFrame) else str(source)
    lookup = {zh: en for en, headers in BIRTH_HEADERS.items() for zh in headers} | {en: en for en in BIRTH_HEADERS}
    renamed = [lookup.get(str(c).strip(), str(c).strip()) for c in frame.columns]
    frame.columns = renamed
    frame = frame.loc[:, ~pd.Index(renamed).duplicated()]
    for column in BIRTH_HEADERS:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    absent = [c for c in ("record_id", "child_birth_date") if (frame[c].str.strip() == "").all() and len(frame)]
    if (frame["mother_name"].str.strip() == "").all() and (frame["mother_id_number"].str.strip() == "").all() \
            and len(frame):
        absent.append("mother_name / mother_id_number")
    if absent:
        raise SchemaError(f"{name}: 出生信息缺少列 {', '.join(absent)}(记录编号、子女出生日期、母亲姓名或身份证号);"
                          f" the births file needs {absent}", path=name, column=absent[0])
    return frame.reset_index(drop=True)


def births_as_women(births: pd.DataFrame, *, name: str = "<births>") -> Records:
    """The mothers as records of the register layout (m rows, same order), for ``linkage.link``.
    A blank or repeated record_id is a SchemaError naming ``name`` and the rows."""
    women = pd.DataFrame({
        "record_id": births["record_id"], "name": births["mother_name"], "id_number": births["mother_id_number"],
        "sex": "女", "birth_date": births["mother_birth_date"], "spouse_name": births["father_name"],
        "spouse_id_number": births["father_id_number"], "hukou_code": births["hukou_code"],
        "residence_code": births["residence_code"], "residence_address": births["residence_address"],
        "source": births["source"]})
    return prepare(conform(women, name=name, required=("record_id",)), women=True)


def read_deferrals(source: Any) -> pd.DataFrame:
    """延期报告 rows (path or frame): clue_id, reason, new_date (datetime64, NaT when blank or
    unreadable: the clue keeps its due date and its reason says why), the last row per clue."""
    frame = source.copy() if isinstance(source, pd.DataFrame) else read_table(source)
    name = "<frame>" if isinstance(source, pd.DataFrame) else str(source)
    frame.columns = [DEFERRAL_HEADERS.get(str(c).strip(), str(c).strip()) for c in frame.columns]
    if "clue_id" not in frame.columns:
        raise SchemaError(f"{name}: 延期报告缺少列 clue_id(线索编号); the deferrals file needs column 'clue_id'",
                          path=name, column="clue_id")
    out = pd.DataFrame({"clue_id": frame["clue_id"].astype(str).str.strip(),
                        "reason": frame.get("reason", pd.Series("", index=frame.index)).astype(str).str.strip(),
                        "new_date": normalize_dates(frame.get("new_date", pd.Series("", index=frame.index))
                                                    .astype(str)).values.to_numpy()})
    filled = (out["reason"] != "") | out["new_date"].notna()
    return out[(out["clue_id"] != "") & filled].drop_duplicates("clue_id", keep="last")


def _policies(values: pd.Series) -> np.ndarray:
    return pd.Series(normalize_texts(values), dtype=object).replace(POLICY_ALIASES).to_numpy(dtype=object)


def _reported_children(links: pd.DataFrame, births_norm: pd.DataFrame, children: Any, register: Records,
                       tolerance_days: int) -> pd.Series:
    """birth record id -> child_id of a reported child of any register record she links to."""
    if children is None:
        return pd.Series(dtype=object)
    raw_kids = load(children, table="children")
    kids_all = prepare_children(raw_kids, register)
    ids = normalize_ids(raw_kids["id_number"])
    kids_all["id_full"] = np.where(ids.status == "valid", ids.id_full, "")
    kids = kids_all[kids_all["birth_date"].notna()][["child_id", "mother_record_id", "birth_date", "sex"]]
    pairs = links.merge(kids, left_on="record_id_l", right_on="mother_record_id", how="inner")
    pairs = pairs.merge(births_norm, left_on="record_id_r", right_on="birth_record_id", how="inner")
    gap = (pd.to_datetime(pairs["birth_date"]) - pd.to_datetime(pairs["child_birth"])).abs().dt.days
    sex_ok = (pairs["sex"] == "") | (pairs["child_sex_norm"] == "") | (pairs["sex"] == pairs["child_sex_norm"])
    found = pairs[(gap <= tolerance_days) & sex_ok].assign(gap=gap)
    by_id = _same_child_id(births_norm, kids_all)
    found = pd.concat([by_id.assign(gap=-1), found[["record_id_r", "child_id", "gap"]]], ignore_index=True)
    found = found.sort_values(["record_id_r", "gap", "child_id"], kind="stable").drop_duplicates("record_id_r")
    return found.set_index("record_id_r")["child_id"]


def _same_child_id(births_norm: pd.DataFrame, kids: pd.DataFrame) -> pd.DataFrame:
    """(record_id_r, child_id) where the birth and a child row carry the same valid ID number:
    the child is reported whichever mother record it was entered under."""
    known = births_norm[births_norm["child_id_full"] != ""]
    rows = kids[kids["id_full"] != ""]
    if not len(known) or not len(rows):
        return pd.DataFrame(columns=["record_id_r", "child_id"])
    joined = known.merge(rows, left_on="child_id_full", right_on="id_full")
    return pd.DataFrame({"record_id_r": joined["birth_record_id"], "child_id": joined["child_id"]})


def find_clues(register: Records, births: Any, *, children: Any = None, district: str | None = None,
               as_of: object = None, due: object = None, deferrals: Any = None, threshold: float | None = None,
               model: Any = None, tolerance_days: int = DATE_TOLERANCE_DAYS) -> pd.DataFrame:
    """One row per birth (CLUE_COLUMNS) with its status and due date (see the module docstring).

    register: the register's ``Records`` (n); births: the births file (path or frame, m rows);
    children: the children table or None (then no birth is 已上报); district: this office's code
    (default: the districts of the register's units); due: the due date (None: no clue falls
    overdue unless deferred); deferrals: a 延期报告 file or frame read back, or None.
    """
    when = as_of_date(as_of)
    name = "<births>" if isinstance(births, pd.DataFrame) else str(births)
    births = read_births(births)
    women = births_as_women(births, name=name)
    result = link(register, women, threshold=threshold, model=model)
    links = result.links[["record_id_l", "record_id_r", "probability"]].copy()
    links["record_id_l"], links["record_id_r"] = links["record_id_l"].astype(str), links["record_id_r"].astype(str)
    districts = district_codes(register, district)
    norm = register.norm
    row_of = pd.Index(norm["record_id"].astype(str))
    rows = row_of.get_indexer(links["record_id_l"])
    units = norm["unit_code"].astype(str).to_numpy(dtype=object)
    links["unit"] = units[rows]
    links["ours"] = ~is_inactive(norm["status"].to_numpy(dtype=object)[rows]) & isin(links["unit"].str[:6], districts)
    links["active"] = ~is_inactive(norm["status"].to_numpy(dtype=object)[rows])
    # her record: one of ours first, then one in management elsewhere, then the most probable
    links = links.sort_values(["record_id_r", "ours", "active", "probability"], ascending=[True, False, False, False],
                              kind="stable")
    best = links.drop_duplicates("record_id_r").set_index("record_id_r")

    child_ids = normalize_ids(births["child_id_number"])
    birth_norm = pd.DataFrame({"birth_record_id": births["record_id"].astype(str).str.strip(),
                               "child_id_full": np.where(child_ids.status == "valid", child_ids.id_full, ""),
                               "child_birth": normalize_dates(births["child_birth_date"]).values.to_numpy(),
                               "child_sex_norm": normalize_sexes(births["child_sex"])})
    reported = _reported_children(links, birth_norm, children, register, tolerance_days)
    ids = birth_norm["birth_record_id"]
    linked = best.reindex(ids)
    has_link = linked["unit"].notna().to_numpy()
    is_ours = linked["ours"].to_numpy(dtype=object) == True  # noqa: E712 (NaN where she links to nothing)
    active_elsewhere = has_link & ~is_ours & (linked["active"].to_numpy(dtype=object) == True)  # noqa: E712
    child_id = reported.reindex(ids).fillna("").to_numpy(dtype=object)

    place_codes = {c: women.norm[c].astype(str) for c in ("residence_code", "hukou_code")}
    known_place = (place_codes["residence_code"] != "") | (place_codes["hukou_code"] != "")
    place_here = isin(place_codes["residence_code"].str[:6], districts) | isin(place_codes["hukou_code"].str[:6],
                                                                               districts)
    lives_elsewhere = known_place.to_numpy() & ~place_here
    own_place = np.where(place_codes["residence_code"] != "", place_codes["residence_code"],
                         place_codes["hukou_code"]).astype(object)

    status = np.where(child_id != "", REPORTED,
                      np.where(is_ours, OURS,
                               np.where(has_link | lives_elsewhere, OTHERS, VERIFY))).astype(object)
    linked_unit = linked["unit"].fillna("").to_numpy(dtype=object)
    to_unit = np.where(status == OTHERS, np.where(active_elsewhere, linked_unit, own_place), "").astype(object)
    here_street = np.where(place_here & (own_place != ""), street_of(own_place), "").astype(object)
    unit = np.where(np.isin(status, (OURS, REPORTED)) & has_link, linked_unit,
                    np.where(status == VERIFY, here_street, "")).astype(object)

    due_dates = pd.Series(pd.NaT, index=range(len(births)), dtype="datetime64[ns]")
    if due is not None:
        due_dates[:] = date_option(due, "--due")
    clue_ids = ("B-" + ids).to_numpy(dtype=object)
    deferred_to = pd.Series(pd.NaT, index=range(len(births)), dtype="datetime64[ns]")
    reason_deferred = np.full(len(births), "", dtype=object)
    if deferrals is not None:
        table = read_deferrals(deferrals).set_index("clue_id")
        deferred_to = pd.Series(pd.to_datetime(table["new_date"].reindex(clue_ids).to_numpy()), dtype="datetime64[ns]")
        reason_deferred = table["reason"].reindex(clue_ids).fillna("").to_numpy(dtype=object)
    effective_due = deferred_to.where(deferred_to.notna(), due_dates)
    open_ = np.isin(status, OPEN_STATUSES)
    overdue = open_ & (effective_due < when).to_numpy()
    final = np.where(overdue, OVERDUE, status).astype(object)
    reasons = _reasons(status, overdue, has_link, lives_elsewhere, linked_unit, own_place, child_id)
    undated = open_ & (reason_deferred != "") & deferred_to.isna().to_numpy()
    reasons = np.where(undated, reasons + ";延期报告未填写或无法识别延期至日期,按原期限", reasons).astype(object)
    return pd.DataFrame({
        "clue_id": clue_ids, "birth_record_id": ids.to_numpy(dtype=object),
        "source": births["source"].to_numpy(dtype=object), "mother_name": births["mother_name"].to_numpy(dtype=object),
        "mother_id_number": births["mother_id_number"].to_numpy(dtype=object),
        "child_birth_date": _day(birth_norm["child_birth"]),
        "child_sex": pd.Series(birth_norm["child_sex_norm"]).map({"F": "女", "M": "男"}).fillna("").to_numpy(dtype=object),
        "policy": _policies(births["policy"]), "status": final, "open_status": status,
        "unit_code": unit, "street_code": street_of(unit), "to_unit_code": to_unit,
        "mother_record_id": linked["record_id_l"].fillna("").to_numpy(dtype=object),
        "mother_unit_code": linked_unit, "probability": linked["probability"].to_numpy(dtype=float),
        "child_id": child_id, "due_date": _day(effective_due.where(open_, pd.NaT)),
        "deferred_to": _day(deferred_to), "deferral_reason": reason_deferred, "reason": reasons,
        "notice": np.where(status == OTHERS, "请" + to_unit.astype(str) + "落实:" + births["mother_name"].astype(str)
                           .to_numpy(dtype=object) + "(身份证号" + births["mother_id_number"].astype(str)
                           .to_numpy(dtype=object) + ")于" + _day(birth_norm["child_birth"]) + "生育子女,"
                           "共享平台有出生信息、本区无上报,属于贵单位管理的请按规定上报(线索编号" + clue_ids + ")", ""),
    }, columns=CLUE_COLUMNS)


def _day(values: pd.Series) -> np.ndarray:
    return pd.Series(pd.to_datetime(values)).dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)


def _reasons(status, overdue, has_link, lives_elsewhere, linked_unit, own_place, child_id) -> np.ndarray:
    text = np.select(
        [status == REPORTED, status == OURS, (status == OTHERS) & has_link, status == OTHERS],
        ["子女信息中已有该子女:" + child_id.astype(str),
         "母亲为本单位在管育龄妇女,子女未上报,请落实后上报",
         "母亲信息在其他单位(" + linked_unit.astype(str) + "),请通报对方落实",
         "本区无母亲记录,出生信息所载居住地/户籍地在外区(" + own_place.astype(str) + "),请通报对方落实"],
        "本区无匹配的母亲记录,请核实母亲身份和居住地").astype(object)
    return np.where(overdue, text + ";已过期限未上报(逾期)", text).astype(object)


def deferral_sheet(clues: pd.DataFrame) -> pd.DataFrame:
    """deferrals.csv (DEFERRAL_COLUMNS): every open or overdue clue, with a deferral read back kept."""
    open_ = clues[clues["status"].isin((*OPEN_STATUSES, OVERDUE))]
    return pd.DataFrame({"clue_id": open_["clue_id"], "unit_code": open_["unit_code"],
                         "mother_name": open_["mother_name"], "mother_id_number": open_["mother_id_number"],
                         "child_birth_date": open_["child_birth_date"], "status": open_["status"],
                         "due_date": open_["due_date"], "reason": open_["deferral_reason"],
                         "new_date": open_["deferred_to"]}, columns=DEFERRAL_COLUMNS).reset_index(drop=True)


def clue_counts(clues: pd.DataFrame) -> pd.DataFrame:
    """Per street (index: 9-digit street code, '' for none): birth_clues (open or overdue) and clues_overdue."""
    street = clues["street_code"].astype(str)
    open_ = clues["status"].isin((*OPEN_STATUSES, OVERDUE))
    return pd.DataFrame({"birth_clues": open_.groupby(street).sum(),
                         "clues_overdue": (clues["status"] == OVERDUE).groupby(street).sum()}).astype(np.int64)
