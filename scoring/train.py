"""Train a register match model on labelled data, reproducibly.

    python -m scoring.train REGISTER --truth TRUTH [REGISTER --truth TRUTH ...] -o model.json
    python -m scoring.train REGISTER --pairs LABELS -o model.json
        [--validation REGISTER --validation-truth TRUTH] [--C 0.3]

Labels come in one of two forms:

- a *truth* file (record_id, person_id: the woman behind every record, as the benchmark
  generator writes it with ``--truth``): the register is blocked (``blocking.block``) and every
  candidate pair is labelled by whether its two records are one woman;
- labelled *pairs* (record_id_l, record_id_r, match as 1/0 or 是同一人/不是同一人): an
  office's own judgements; only those pairs are compared and fitted.

A regularised logistic model (``MatchModel``) is fitted on every register's pairs; the
match threshold is the one with the best pairwise F1 on the validation register (on the
training pairs when none is given), and the model records its spec
(``scoring.default.register_model_spec``: features and blocking) and how it was trained.
The shipped default model is made by ``python -m benchmarks.train_default``, which generates
the registers with known truth and calls ``fit_model`` here.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from blocking import block
from linkage.errors import ConfigError
from linkage.io import load, read_table
from linkage.prepare import Records, prepare

from .default import register_model_spec
from .features import REASON_LABELS, Features, compare
from .model import MatchModel, as_weights

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
REPORT_THRESHOLDS = (0.3, 0.5, 0.7, 0.9)
MIN_PRECISION = 0.997
"""The lowest pairwise precision a chosen threshold may give on the validation pairs."""
MATCH_WORDS = {"1": 1, "0": 0, "是同一人": 1, "不是同一人": 0, "是": 1, "否": 0, "true": 1, "false": 0,
               "yes": 1, "no": 0, "match": 1, "non-match": 0}
"""How a label may be written in a labelled-pairs file (anything else, e.g. 不确定, is skipped)."""


@dataclass(frozen=True)
class TrainConfig:
    """How a model is fitted; saved in the model's ``training`` section.

    C: inverse L2 regularisation.  shrink: comparisons fitted with a stronger penalty (factor
    f: penalty 1/f² as strong): context a training generator ties to matches more tightly than
    real registers do (a woman who moved keeps her old unit's record with an old address), so
    the model leans on ID, name and birth date."""

    C: float = 0.3
    shrink: tuple[tuple[str, float], ...] = (
        ("residence_code", 0.5), ("hukou_code", 0.5), ("unit", 0.5), ("residence_address", 0.5),
        ("hukou_address", 0.5), ("phone", 0.5))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["shrink"] = dict(self.shrink)
        return data


@dataclass(frozen=True)
class Labelled:
    """Labelled candidate pairs of one register.

    features: Features of the p pairs; y: bool (p,); true_pairs: the number of true pairs
    (blocked or not: recall counts them all; for labelled pairs, the matches among them);
    pairs: int64 (p, 2) row positions; records: the register's Records; person: int64 (n,)
    the woman behind each row (None for labelled pairs); weight: float (p,), how many pairs of
    the register each row stands for (None: one each), true_pairs then a weighted count."""

    features: Features
    y: np.ndarray
    true_pairs: float
    pairs: np.ndarray
    records: Records
    person: np.ndarray | None = None
    weight: np.ndarray | None = None

    def weights(self) -> np.ndarray:
        """float64 (p,): the rows' weights (ones when none were given)."""
        return as_weights(self.weight, len(self.y))


def joined_weights(parts: Sequence["Labelled"]) -> np.ndarray | None:
    """float64 (p,): the parts' weights end to end; None when no part has any (all count once)."""
    return None if all(p.weight is None for p in parts) else np.concatenate([p.weights() for p in parts])


def true_pair_count(person: np.ndarray) -> int:
    """Pairs of rows that are one woman: the sum over women of k(k-1)/2."""
    sizes = np.bincount(pd.factorize(pd.Series(person))[0])
    return int((sizes * (sizes - 1) // 2).sum())


def label_register(records: Records, person: np.ndarray) -> Labelled:
    """Block and compare a register whose every row's woman is known (``person``, (n,))."""
    person = np.asarray(pd.factorize(pd.Series(person, dtype=object))[0], dtype=np.int64)
    if len(person) != len(records):
        raise ConfigError(f"the truth names {len(person)} records for a register of {len(records)}")
    pairs = block(records.norm)
    y = person[pairs[:, 0]] == person[pairs[:, 1]]
    return Labelled(compare(records.norm, records.norm, pairs), y, true_pair_count(person), pairs, records, person)


def label_pairs(records: Records, labels: pd.DataFrame, *, source: str = "labels") -> Labelled:
    """Compare the labelled pairs of ``labels`` (record_id_l, record_id_r, match) in a register."""
    missing = [c for c in ("record_id_l", "record_id_r", "match") if c not in labels.columns]
    if missing:
        raise ConfigError(f"{source}: labelled pairs need columns record_id_l, record_id_r, match (missing {missing})")
    words = labels["match"].astype(str).str.strip().str.lower().map(MATCH_WORDS)
    known = words.notna().to_numpy()
    index = pd.Index(records.norm["record_id"].astype(str))
    left = index.get_indexer(labels["record_id_l"].astype(str).str.strip())
    right = index.get_indexer(labels["record_id_r"].astype(str).str.strip())
    unknown_ids = known & ((left < 0) | (right < 0))
    if unknown_ids.any():
        rows = (np.flatnonzero(unknown_ids)[:10] + 2).tolist()
        raise ConfigError(f"{source}: row(s) {rows} name record ids that are not in the register")
    keep = known & (left != right)
    pairs = np.sort(np.c_[left[keep], right[keep]], axis=1).astype(np.int64)
    y = words.to_numpy()[keep].astype(int) == 1
    return Labelled(compare(records.norm, records.norm, pairs), y, int(y.sum()), pairs, records)


def pairwise(probabilities: np.ndarray, y: np.ndarray, true_pairs: float, threshold: float,
             weight: np.ndarray | None = None) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the pairs at or above ``threshold`` (each pair counted
    ``weight`` times when given: (p,))."""
    predicted = probabilities >= threshold
    w = as_weights(weight, len(y))
    hits, shown = float(w[predicted & y].sum()), float(w[predicted].sum())
    precision = hits / shown if shown else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": float(threshold), "precision": precision, "recall": recall, "f1": f1}


def choose_threshold(probabilities: np.ndarray, y: np.ndarray, true_pairs: float,
                     min_precision: float = MIN_PRECISION, weight: np.ndarray | None = None) -> float:
    """The grid threshold with the best pairwise F1 among those whose precision is at least
    ``min_precision`` (a false match is a wrong cancellation), the middle of a tie; the most
    precise threshold when none reaches it.  ``weight`` (p,): pairs counted that many times."""
    rows = [pairwise(probabilities, y, true_pairs, t, weight) for t in THRESHOLD_GRID]
    scores = np.array([row["f1"] for row in rows])
    precise = np.array([row["precision"] >= min_precision for row in rows])
    if not precise.any():
        return float(THRESHOLD_GRID[int(np.argmax([row["precision"] for row in rows]))])
    scores = np.where(precise, scores, -1.0)
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(THRESHOLD_GRID[best[len(best) // 2]])


def fit_model(parts: Sequence[Labelled], *, config: TrainConfig = TrainConfig(), validation: Labelled | None = None,
              training: dict[str, Any] | None = None, prior: MatchModel | None = None) -> MatchModel:
    """Fit one model on the pairs of every labelled register (each row counted its ``weight``);
    the threshold is chosen on ``validation`` (else on the training pairs, weighted).  With
    ``prior`` the weights are pulled toward the prior model's, not toward 0 (``MatchModel.fit``).
    ConfigError when the labels are one-sided."""
    if not parts:
        raise ConfigError("no labelled pairs to train on")
    X = np.concatenate([p.features.matrix for p in parts])
    y = np.concatenate([p.y for p in parts])
    if y.all() or not y.any():
        raise ConfigError(f"the {len(y)} labelled pairs are all {'matches' if len(y) and y.all() else 'non-matches'}; "
                          "a model needs both")
    model = MatchModel(C=config.C, labels=REASON_LABELS, shrink=dict(config.shrink))
    model.fit(X, y, names=parts[0].features.names, spec=register_model_spec(), sample_weight=joined_weights(parts),
              prior=prior)
    chosen = validation or _joined(parts)
    threshold = choose_threshold(model.predict_proba(chosen.features), chosen.y, chosen.true_pairs,
                                 weight=chosen.weight)
    model.threshold = model.threshold_ = threshold
    model.training_ = {"config": config.to_dict(), "pairs": int(len(y)), "matches": int(y.sum()),
                       "threshold_chosen_on": "validation" if validation is not None else "training pairs",
                       **(training or {})}
    return model


def _joined(parts: Sequence[Labelled]) -> Labelled:
    """The training parts as one labelled set (for choosing a threshold without validation)."""
    features = Features(np.concatenate([p.features.matrix for p in parts]), parts[0].features.names)
    return Labelled(features, np.concatenate([p.y for p in parts]), sum(p.true_pairs for p in parts),
                    np.zeros((0, 2), dtype=np.int64), parts[0].records, weight=joined_weights(parts))


def evaluate(model: MatchModel, data: Labelled, name: str, out=sys.stdout) -> dict[str, Any]:
    """Print and return pairwise scores of ``model`` on one labelled register."""
    start = time.perf_counter()
    probabilities = model.predict_proba(data.features)
    seconds = time.perf_counter() - start
    rows = [pairwise(probabilities, data.y, data.true_pairs, t) for t in sorted({*REPORT_THRESHOLDS, model.threshold_})]
    print(f"\n{name}: {len(data.y):,} candidate pairs, {int(data.y.sum()):,} of {data.true_pairs:,} true pairs "
          f"blocked ({seconds:.3f} s to predict)", file=out)
    print("  threshold  precision  recall     F1", file=out)
    for row in rows:
        mark = "  <- recommended" if row["threshold"] == model.threshold_ else ""
        print(f"  {row['threshold']:9.2f}  {row['precision']:9.4f}  {row['recall']:.4f}  {row['f1']:.4f}{mark}",
              file=out)
    return {"pairs": int(len(data.y)), "true_pairs": data.true_pairs, "pairwise": rows}


def _truth(path: str, records: Records) -> np.ndarray:
    """The person of each register row from a truth file (record_id, person_id)."""
    truth = read_table(path)
    if not {"record_id", "person_id"} <= set(truth.columns):
        raise ConfigError(f"{path}: a truth file needs columns record_id and person_id")
    person = truth.set_index(truth["record_id"].astype(str).str.strip())["person_id"]
    ids = records.norm["record_id"].astype(str)
    found = ids.isin(person.index).to_numpy()
    if not found.all():
        raise ConfigError(f"{path}: no person_id for record(s) {ids[~found].tolist()[:5]}")
    return person.reindex(ids).to_numpy(dtype=object)


def _labelled(register: str, truth: str | None, pairs: str | None) -> Labelled:
    records = prepare(load(register))
    if pairs:
        return label_pairs(records, read_table(pairs), source=pairs)
    return label_register(records, _truth(truth, records))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("registers", nargs="+", metavar="REGISTER", help="labelled register file(s)")
    labels = parser.add_mutually_exclusive_group(required=True)
    labels.add_argument("--truth", nargs="+", metavar="TRUTH", help="truth file per register (record_id, person_id)")
    labels.add_argument("--pairs", nargs="+", metavar="LABELS",
                        help="labelled pairs per register (record_id_l, record_id_r, match)")
    parser.add_argument("--validation", metavar="REGISTER", help="register to choose the threshold on")
    parser.add_argument("--validation-truth", metavar="TRUTH", help="its truth file")
    parser.add_argument("--C", type=float, default=TrainConfig().C, help="inverse L2 regularisation")
    parser.add_argument("-o", "--output", required=True, help="the model JSON to write")
    args = parser.parse_args(argv)
    given = args.truth or args.pairs
    if len(given) != len(args.registers):
        parser.error(f"{len(args.registers)} register(s) but {len(given)} label file(s); give one per register")
    if bool(args.validation) != bool(args.validation_truth):
        parser.error("--validation and --validation-truth go together")
    try:
        parts = [_labelled(register, t if args.truth else None, t if args.pairs else None)
                 for register, t in zip(args.registers, given)]
        validation = _labelled(args.validation, args.validation_truth, None) if args.validation else None
        model = fit_model(parts, config=TrainConfig(C=args.C), validation=validation,
                          training={"registers": list(args.registers), "labels": list(given)})
    except ConfigError as exc:
        print(f"python -m scoring.train: error: {exc}", file=sys.stderr)
        return 2
    for part, register in zip(parts, args.registers):
        evaluate(model, part, f"training register {register}")
    if validation is not None:
        evaluate(model, validation, f"validation register {args.validation}")
    model.to_json(args.output)
    print(f"\nwrote {args.output} (threshold {model.threshold_:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
