"""A generated campaign with known truth: register, children, births and a later register.

``make_campaign(n_records, seed, per_rule)``:

1. the logically clean register and children of ``benchmarks.audit_data`` (true IDs, names,
   marriages), made free of key targets: a married woman's blank or 无措施 method becomes 药具,
   an unmarried woman's long-acting method is blanked, nobody is 现孕 / 产后一月, every
   household is 家庭户;
2. ``per_rule`` records in management per key-target rule changed to break it (distinct
   records, one per woman), plus clean key targets that must not be flagged: 产后一月 with a
   child born 20 days before as_of, 现孕 with the last child born three years before;
3. births from the shared platform with a known status: children already reported (已上报),
   births of married women of the district with no child reported (本单位待上报), of women
   held by another district (非本单位), and of women in no register (待核实);
4. a later register: half the injected key-target errors restored (fixed), the records of half
   the first run's in-district cancellation notices cancelled (注销), and ``per_rule`` new
   errors (married_method_blank) on other clean records.  The follow-up's truth is made from
   these changes alone (``followup_truth``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.audit_data import CURRENT, _day_text, clean_register, make_children
from benchmarks.corruptions import id_matrix, matrix_to_str
from benchmarks.generator import GeneratedRegister, generate_register
from benchmarks.people import to_day

KEY_RULE_NAMES = ("married_no_method", "married_method_blank", "unmarried_long_acting", "postpartum_without_child",
                  "pregnant_after_recent_birth", "collective_household", "registered_only_household",
                  "crowded_household_address")
CROWD = 5
"""Women put on one household address for crowded_household_address (the rule's bar is 4)."""


@dataclass
class Campaign:
    """register (n) / children / births / later register, and the truth.

    key_truth: record_id, rule of every injected key-target finding; clean_ids: records in
    management no injection touched; birth_truth: birth record_id -> expected status; fixed /
    new_findings: (record_id, rule) restored / injected in the later register; cancelled: record
    ids cancelled in the later register.
    """

    register: pd.DataFrame
    children: pd.DataFrame
    births: pd.DataFrame
    later: pd.DataFrame
    key_truth: pd.DataFrame
    clean_ids: np.ndarray
    birth_truth: pd.Series
    fixed: pd.DataFrame
    new_findings: pd.DataFrame
    district: str
    as_of: str
    generated: GeneratedRegister


def _neutral(register: pd.DataFrame) -> pd.DataFrame:
    out = register.copy()
    married = out["marital_status"].isin(CURRENT)
    out.loc[married & out["contraception"].isin(["", "无措施"]), "contraception"] = "药具"
    out.loc[~married & out["contraception"].isin(["放环", "结扎", "皮埋"]), "contraception"] = ""
    out["pregnancy"] = ""
    out["household_type"] = "家庭户"
    out["remarks"] = ""
    return out


def make_campaign(n_records: int = 5000, seed: int = 1, per_rule: int = 20) -> Campaign:
    g = generate_register(n_records=n_records, seed=seed)
    register, facts = clean_register(g)
    rng = np.random.default_rng([seed, 14])
    children, child_facts = make_children(register, facts, g.as_of, rng)
    register = _neutral(register)
    today = to_day(g.as_of)
    n = len(register)
    mothers = np.zeros(n, dtype=bool)
    mothers[child_facts["mother_row"].to_numpy()] = True
    first = ~facts["person"].duplicated(keep=False).to_numpy()  # women held once: a change has no twin record
    ours = register["unit_code"].str[:6].eq(g.district).to_numpy()
    usable = facts["active"].to_numpy() & first & ours & ~mothers & register["hukou_address"].ne("").to_numpy() \
        & register["hukou_code"].ne("").to_numpy()
    short_acting = register["contraception"].eq("药具").to_numpy()  # 现孕 beside a long-acting method is another rule
    married = register["marital_status"].isin(CURRENT).to_numpy()
    taken = np.zeros(n, dtype=bool)

    def pick(mask: np.ndarray, k: int) -> np.ndarray:
        rows = rng.permutation(np.flatnonzero(mask & ~taken))[:k]
        taken[rows] = True
        return rows

    truth, extra_children = [], []
    original = register.copy()
    for rule in KEY_RULE_NAMES:
        if rule == "crowded_household_address":
            rows = pick(usable, per_rule // CROWD * CROWD or CROWD)
            for group in rows.reshape(-1, CROWD):
                register.loc[group, "hukou_code"] = register.loc[group[0], "hukou_code"]
                register.loc[group, "hukou_address"] = f"{register.loc[group[0], 'hukou_address']}{group[0]}号"
        else:
            mask = married & short_acting if rule in ("postpartum_without_child", "pregnant_after_recent_birth") \
                else married
            rows = pick(usable & (mask if rule != "unmarried_long_acting" else
                                  register["marital_status"].eq("未婚").to_numpy()), per_rule)
            column, value = {"married_no_method": ("contraception", "无措施"),
                             "married_method_blank": ("contraception", ""),
                             "unmarried_long_acting": ("contraception", "皮埋"),
                             "postpartum_without_child": ("pregnancy", "产后一月"),
                             "pregnant_after_recent_birth": ("pregnancy", "现孕"),
                             "collective_household": ("household_type", "集体户"),
                             "registered_only_household": ("household_type", "空挂户")}[rule]
            register.loc[rows, column] = value
            if rule == "pregnant_after_recent_birth":
                extra_children.append((rows, today - 40))
        truth.append(pd.DataFrame({"record_id": register["record_id"].to_numpy()[rows], "rule": rule}))
    clean_postpartum = pick(usable & married & short_acting, per_rule)
    register.loc[clean_postpartum, "pregnancy"] = "产后一月"
    clean_pregnant = pick(usable & married & short_acting, per_rule)
    register.loc[clean_pregnant, "pregnancy"] = "现孕"
    extra_children += [(clean_postpartum, today - 20), (clean_pregnant, today - 3 * 365)]
    rows_all = np.concatenate([rows for rows, _ in extra_children])
    days = np.concatenate([np.full(len(rows), day) for rows, day in extra_children])
    added = pd.DataFrame({"child_id": [f"CX{i:06d}" for i in range(len(rows_all))],
                          "mother_record_id": register["record_id"].to_numpy()[rows_all], "name": "",
                          "sex": "女", "birth_date": _day_text(days), "birth_order": "1", "id_number": "",
                          "policy": "政策内", "reported_period": ""})
    children = pd.concat([children, added], ignore_index=True)
    key_truth = pd.concat(truth, ignore_index=True)
    clean = facts["active"].to_numpy() & ~taken
    clean[clean_postpartum] = clean[clean_pregnant] = True

    births, birth_truth = _births(register, facts, children, g, rng, per_rule, taken, mothers)
    later, fixed, new = _later(register, original, key_truth, rng, per_rule, usable & married & ~taken)
    return Campaign(register, children, births, later, key_truth, register["record_id"].to_numpy()[clean],
                    birth_truth, fixed, new, g.district, g.as_of, g)


def _births(register, facts, children, g, rng, k, taken, mothers) -> tuple[pd.DataFrame, pd.Series]:
    today = to_day(g.as_of)
    first = ~facts["person"].duplicated(keep=False).to_numpy()
    active = facts["active"].to_numpy()
    ours = register["unit_code"].str[:6].eq(g.district).to_numpy()
    row_of = pd.Index(register["record_id"])
    reported = children[children["child_id"].str.startswith("C0")].sample(k, random_state=int(rng.integers(1 << 30)))
    rep_rows = row_of.get_indexer(reported["mother_record_id"])
    keep = first[rep_rows] & active[rep_rows] & ours[rep_rows]
    reported, rep_rows = reported[keep], rep_rows[keep]
    married = register["marital_status"].isin(CURRENT).to_numpy()
    pending = rng.permutation(np.flatnonzero(first & active & ours & married & ~mothers & ~taken))[:k]
    taken[pending] = True
    other = rng.permutation(np.flatnonzero(first & active & ~ours & married & ~mothers))[:k]
    stranger_birth = today - rng.integers(22 * 365, 35 * 365, k)
    stranger_ids = matrix_to_str(id_matrix(np.full(k, 330106), stranger_birth, rng.integers(0, 499, k) * 2))
    parts = []
    for label, rows, child_days in (("已上报", rep_rows, None), ("本单位待上报", pending, today - 60),
                                    ("非本单位", other, today - 50)):
        sub = register.iloc[rows]
        birth = reported["birth_date"].to_numpy() if child_days is None else _day_text(np.full(len(rows), child_days))
        sex = reported["sex"].to_numpy() if child_days is None else "女"
        parts.append(pd.DataFrame({"mother_name": sub["name"].to_numpy(), "mother_id_number": sub["id_number"].to_numpy(),
                                   "child_birth_date": birth, "child_sex": sex, "status": label}))
    parts.append(pd.DataFrame({"mother_name": [f"外{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i}" for i in range(k)],
                               "mother_id_number": stranger_ids, "child_birth_date": _day_text(np.full(k, today - 45)),
                               "child_sex": "男", "status": "待核实"}))
    births = pd.concat(parts, ignore_index=True)
    births.insert(0, "record_id", [f"BIRTH{i:05d}" for i in range(len(births))])
    births["source"] = "卫健出生"
    return births.drop(columns="status"), births.set_index("record_id")["status"]


def _later(register, original, key_truth, rng, k, spare) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    later = register.copy()
    row_of = pd.Index(register["record_id"])
    fix = key_truth.assign(row=row_of.get_indexer(key_truth["record_id"]))
    crowded = fix["rule"] == "crowded_household_address"
    groups = register["hukou_address"].to_numpy()[fix["row"]]
    chosen_groups = {group for group in np.unique(groups[crowded]) if rng.random() < 0.5}
    chosen = np.where(crowded, np.isin(groups, list(chosen_groups)), rng.random(len(fix)) < 0.5)
    restore = fix[chosen]
    for column in ("contraception", "pregnancy", "household_type", "hukou_code", "hukou_address"):
        later.loc[restore["row"].to_numpy(), column] = original.loc[restore["row"].to_numpy(), column].to_numpy()
    # a restored crowded group: one woman moved off the address is enough, but all five are restored here
    new_rows = rng.permutation(np.flatnonzero(spare))[:k]
    later.loc[new_rows, "contraception"] = ""
    new = pd.DataFrame({"record_id": register["record_id"].to_numpy()[new_rows], "rule": "married_method_blank"})
    return later, restore[["record_id", "rule"]].reset_index(drop=True), new


def cancel_notices(later: pd.DataFrame, notices: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, set]:
    """The later register with the records of half the first run's in-district cancellations 注销;
    (later, notice ids carried out)."""
    inside = notices[notices["kind"].astype(str) == "cancel_in_district"]
    done = inside[rng.random(len(inside)) < 0.5]
    ids = set(done["record_ids"].astype(str).str.split(";").explode())
    later = later.copy()
    later.loc[later["record_id"].isin(ids), "status"] = "注销"
    return later, set(done["notice_id"].astype(str))
