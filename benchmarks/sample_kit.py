"""The newcomer's kit beside the bundled sample register: a children table (子女信息) and a
shared-platform extract (共享平台比对信息, 公安户籍) for trying ``linkage audit``.

    python -m benchmarks.sample_kit        # rewrites benchmarks/data/sample_children.csv, sample_extract.csv

Both are made from ``benchmarks/data/sample_register.csv`` and ``sample_truth.csv`` with a
fixed seed, so they fit the register: the children's mothers are its married women in
management (births after the marriage, a few reported late or 政策外 without a report), and
the extract holds one row per woman of the register (her true-looking record as the public
security bureau has it) plus women the register does not hold, who ``linkage audit`` lists in
missing.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.audit_data import make_children
from benchmarks.corruptions import id_matrix, matrix_to_str
from linkage.io import load, write_csv

DATA = Path(__file__).resolve().parent / "data"
AS_OF = "2026-11-30"
SEED = 2026
NEW_WOMEN = 25
"""Women of the district in the extract whom the register does not hold."""


def _days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values.where(values != ""), errors="coerce", format="mixed")
    return np.where(stamps.notna(), (stamps - pd.Timestamp("1970-01-01")).dt.days, -1).astype(np.int64)


def make_kit(register: pd.DataFrame, truth: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(children, extract) for the conformed register (English columns) and its truth."""
    facts = pd.DataFrame({
        "person": truth["person_id"].to_numpy(), "birth": _days(register["birth_date"]),
        "marriage": _days(register["marriage_date"]), "marital": register["marital_status"].to_numpy(),
        "active": register["status"].isin(["", "在管"]).to_numpy(),
    })
    facts.loc[facts["birth"] < 0, "marriage"] = -1
    valid_id = register["id_number"].str.fullmatch(r"\d{17}[\dX]").to_numpy()
    mothers = register.assign(id_number=register["id_number"].where(valid_id, "330106" + "0" * 12))  # a child's region
    children, _ = make_children(mothers, facts, AS_OF, rng)
    unreported = (children["policy"] == "政策外").to_numpy() & (rng.random(len(children)) < 0.5)
    children.loc[unreported, "reported_period"] = ""  # 政策外 births nobody reported: the audit's to find
    one = ~truth["person_id"].duplicated().to_numpy() & valid_id
    known = register[one]
    extract = pd.DataFrame({
        "record_id": [f"GA{k + 1:06d}" for k in range(len(known))], "name": known["name"].str.replace(" ", ""),
        "id_number": known["id_number"], "sex": "女", "birth_date": known["birth_date"],
        "marital_status": known["marital_status"], "hukou_code": known["hukou_code"],
        "hukou_address": known["hukou_address"], "residence_code": known["residence_code"],
        "residence_address": known["residence_address"], "source": "公安户籍",
    })
    streets = register.loc[register["unit_code"].str.startswith("330106"), "unit_code"].str[:9].unique()
    birth = rng.integers(np.datetime64("1980-01-01").astype(np.int64), np.datetime64("2005-01-01").astype(np.int64),
                         NEW_WOMEN)
    ids = matrix_to_str(id_matrix(np.full(NEW_WOMEN, 330106), birth, rng.integers(0, 499, NEW_WOMEN) * 2))
    street = rng.choice(np.sort(streets), NEW_WOMEN)
    surnames, given = np.array(list("王李张刘陈杨黄赵吴周")), np.array(list("静丽敏燕芳娟霞婷雪琳"))
    new = pd.DataFrame({
        "record_id": [f"GA9{k + 1:05d}" for k in range(NEW_WOMEN)],
        "name": rng.choice(surnames, NEW_WOMEN) + rng.choice(given, NEW_WOMEN) + rng.choice(given, NEW_WOMEN),
        "id_number": ids, "sex": "女", "birth_date": pd.to_datetime(birth, unit="D").strftime("%Y-%m-%d"),
        "marital_status": rng.choice(["初婚", "未婚"], NEW_WOMEN, p=[0.7, 0.3]), "hukou_code": street,
        "hukou_address": "", "residence_code": street, "residence_address": "", "source": "公安户籍",
    })
    return children, pd.concat([extract, new], ignore_index=True)


def main() -> int:
    register = load(DATA / "sample_register.csv")
    truth = pd.read_csv(DATA / "sample_truth.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    children, extract = make_kit(register, truth, np.random.default_rng(SEED))
    write_csv(children, DATA / "sample_children.csv")
    write_csv(extract, DATA / "sample_extract.csv")
    print(f"children: {len(children):,}  extract: {len(extract):,} ({NEW_WOMEN} not in the register)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
