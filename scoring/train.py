"""Train the default match model on generated registers, reproducibly.

    python -m scoring.train [--size 30000] [--seeds 1 2 3] [-o scoring/data/default_model.json]

Each training register is generated with its truth, blocked with ``blocking.block``, its
candidate pairs compared and labelled (same person or not), and a regularised logistic
model is fitted on all of them.  The match threshold is chosen on a separate validation
register (best pairwise F1), and precision / recall / F1 are reported on held-out test
registers that played no part in fitting or choosing: one with the generator's usual
error mix, one with a heavier, different mix (more blanks and typos) and one of a district
in another province, since the engine will meet registers typed by other clerks.  Recall
counts every true pair, also those the blocking missed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .features import REASON_LABELS, Features, compare
from .model import MatchModel

THRESHOLD_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
REPORT_THRESHOLDS = (0.3, 0.5, 0.7, 0.9)


@dataclass(frozen=True)
class TrainConfig:
    """What a training run does; saved in the model's ``training`` section."""

    size: int = 30_000
    seeds: tuple[int, ...] = (1, 2, 3)
    validation_seed: int = 11
    test_seeds: tuple[int, ...] = (21,)
    test_size: int = 25_000
    other_district: str = "440305"
    """A district in another province (other region codes, names of places, units) for one more test."""
    C: float = 0.3
    shrink: tuple[tuple[str, float], ...] = (
        ("residence_code", 0.5), ("hukou_code", 0.5), ("unit", 0.5), ("residence_address", 0.5),
        ("hukou_address", 0.5), ("phone", 0.5))
    """Context comparisons fitted with a 4x stronger penalty: the generator ties them to
    matches more tightly than real registers do (a woman who moved keeps her old unit's
    record with an old address), so the model should lean on ID, name and birth date."""

    def to_dict(self) -> dict[str, Any]:
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        data["shrink"] = dict(self.shrink)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        known = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("shrink"), dict):
            known["shrink"] = tuple(known["shrink"].items())
        return cls(**known)


@dataclass(frozen=True)
class Labelled:
    """Candidate pairs of one generated register: features (p, f), labels y bool (p,), the
    number of true pairs (blocked or not), and what clustering needs (norm, person labels)."""

    features: Features
    y: np.ndarray
    true_pairs: int
    pairs: np.ndarray
    norm: Any
    person: np.ndarray


@contextlib.contextmanager
def heavier_errors() -> Iterator[None]:
    """Generate with a different, heavier mix of clerical errors in duplicate records
    (evaluation only; the generator's own rates are restored afterwards)."""
    import benchmarks.generator as generator

    usual = generator.DUPLICATE
    generator.DUPLICATE = replace(
        usual, name_homophone=0.14, name_shape=0.07, name_drop_add=0.04, name_traditional=0.06,
        id_blank=0.15, id_garbage=0.03, id_wrong_digit=0.07, id_swap=0.04, id_legacy15=0.08,
        birth_blank=0.3, birth_day_month_swap=0.04, birth_off_by_one=0.04, phone_blank=0.35, phone_changed=0.3,
        address_blank=0.12, address_reword=0.4, spouse_blank=0.25, hard=0.04)
    try:
        yield
    finally:
        generator.DUPLICATE = usual


def labelled_register(size: int, seed: int, district: str | None = None) -> Labelled:
    """Generate, prepare, block, compare and label one register (the generator's default
    district unless ``district`` is given)."""
    from benchmarks.generator import generate_register, true_match_pairs
    from blocking import block
    from linkage.io import load
    from linkage.prepare import prepare

    generated = generate_register(n_records=size, seed=seed, **({"district": district} if district else {}))
    records = prepare(load(generated.register))
    pairs = block(records.norm)
    truth = true_match_pairs(generated.truth)
    width = np.int64(max(len(records.norm), 1))
    y = np.isin(pairs[:, 0] * width + pairs[:, 1], truth[:, 0] * width + truth[:, 1])
    person = np.asarray(pd.factorize(generated.truth["person_id"])[0])
    return Labelled(compare(records.norm, records.norm, pairs), y, len(truth), pairs, records.norm, person)


def pairwise(probabilities: np.ndarray, y: np.ndarray, true_pairs: int, threshold: float) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the pairs at or above ``threshold``."""
    predicted = probabilities >= threshold
    hits, shown = int((predicted & y).sum()), int(predicted.sum())
    precision = hits / shown if shown else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": float(threshold), "precision": precision, "recall": recall, "f1": f1}


def choose_threshold(probabilities: np.ndarray, y: np.ndarray, true_pairs: int) -> float:
    """The grid threshold with the best pairwise F1 (the middle of a tie)."""
    scores = np.array([pairwise(probabilities, y, true_pairs, t)["f1"] for t in THRESHOLD_GRID])
    best = np.flatnonzero(scores >= scores.max() - 1e-12)
    return float(THRESHOLD_GRID[best[len(best) // 2]])


def clustered(data: Labelled, probabilities: np.ndarray, threshold: float) -> dict[str, float] | None:
    """Pairwise scores after clustering (resolve/), if that stage is available."""
    try:
        from benchmarks.metrics import pairwise_scores
        from resolve.clusters import cluster
    except ImportError:
        return None
    result = cluster(data.norm, data.pairs, probabilities, threshold=threshold)
    scores = pairwise_scores(result.labels, data.person)
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def evaluate(model: MatchModel, data: Labelled, name: str, out) -> dict[str, Any]:
    """Print and return pairwise scores of ``model`` on one labelled register."""
    start = time.perf_counter()
    probabilities = model.predict_proba(data.features)
    seconds = time.perf_counter() - start
    rows = [pairwise(probabilities, data.y, data.true_pairs, t) for t in sorted({*REPORT_THRESHOLDS, model.threshold_})]
    after = clustered(data, probabilities, model.threshold_)
    print(f"\n{name}: {len(data.y):,} candidate pairs, {int(data.y.sum()):,} of {data.true_pairs:,} true pairs "
          f"blocked ({seconds:.3f} s to predict)", file=out)
    print("  threshold  precision  recall     F1", file=out)
    for row in rows:
        mark = "  <- recommended" if row["threshold"] == model.threshold_ else ""
        print(f"  {row['threshold']:9.2f}  {row['precision']:9.4f}  {row['recall']:.4f}  {row['f1']:.4f}{mark}",
              file=out)
    if after is not None:
        print(f"  after clustering at {model.threshold_:.2f}: precision {after['precision']:.4f} "
              f"recall {after['recall']:.4f} F1 {after['f1']:.4f}", file=out)
    return {"pairs": int(len(data.y)), "true_pairs": data.true_pairs, "pairwise": rows, "clustered": after}


def train(config: TrainConfig, out=sys.stdout) -> MatchModel:
    """Fit, choose the threshold, evaluate; returns the model with its ``training_`` report."""
    started = time.perf_counter()
    parts = []
    for seed in config.seeds:
        data = labelled_register(config.size, seed)
        print(f"seed {seed}: {len(data.y):,} candidate pairs, {int(data.y.sum()):,} matches", file=out)
        parts.append(data)
    X = np.concatenate([p.features.matrix for p in parts])
    y = np.concatenate([p.y for p in parts])
    model = MatchModel(C=config.C, labels=REASON_LABELS, shrink=dict(config.shrink))
    model.fit(X, y, names=parts[0].features.names)
    validation = labelled_register(config.size, config.validation_seed)
    threshold = choose_threshold(model.predict_proba(validation.features), validation.y, validation.true_pairs)
    model.threshold = threshold
    model.threshold_ = threshold
    print(f"fitted on {len(y):,} pairs in {time.perf_counter() - started:.1f} s; "
          f"threshold {threshold:.2f} chosen on validation seed {config.validation_seed}", file=out)
    report: dict[str, Any] = {"config": config.to_dict(), "validation_threshold": threshold, "tests": {}}
    for seed in config.test_seeds:
        data = labelled_register(config.test_size, seed)
        report["tests"][f"usual_errors_seed_{seed}"] = evaluate(model, data, f"held-out seed {seed}", out)
        with heavier_errors():
            data = labelled_register(config.test_size, seed)
        report["tests"][f"heavier_errors_seed_{seed}"] = evaluate(
            model, data, f"held-out seed {seed}, heavier error mix", out)
        if config.other_district:
            data = labelled_register(config.test_size, seed, config.other_district)
            report["tests"][f"district_{config.other_district}_seed_{seed}"] = evaluate(
                model, data, f"held-out seed {seed}, district {config.other_district}", out)
    model.training_ = report
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring.train", description=__doc__.split("\n\n")[0])
    defaults = TrainConfig()
    parser.add_argument("--size", type=int, default=defaults.size, help="records per training register")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(defaults.seeds), help="training seeds")
    parser.add_argument("--validation-seed", type=int, default=defaults.validation_seed)
    parser.add_argument("--test-seeds", type=int, nargs="+", default=list(defaults.test_seeds))
    parser.add_argument("--test-size", type=int, default=defaults.test_size)
    parser.add_argument("--other-district", default=defaults.other_district,
                        help="6-digit district of one more held-out register ('' for none)")
    parser.add_argument("--C", type=float, default=defaults.C, help="inverse L2 regularisation")
    parser.add_argument("-o", "--output", default="scoring/data/default_model.json")
    args = parser.parse_args(argv)
    config = TrainConfig(size=args.size, seeds=tuple(args.seeds), validation_seed=args.validation_seed,
                         test_seeds=tuple(args.test_seeds), test_size=args.test_size, C=args.C,
                         other_district=args.other_district)
    model = train(config)
    model.to_json(args.output)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
