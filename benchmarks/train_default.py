"""Train the shipped default model (scoring/data/default_model.json) on generated registers.

    python -m benchmarks.train_default [--size 30000] [--seeds 1 2 3] [-o scoring/data/default_model.json]

Each training register is generated with its truth (``benchmarks.generator``), labelled and
fitted by ``scoring.train`` (the installed trainer an office uses on its own labels).  The
threshold is chosen on a separate validation register (best pairwise F1), and precision /
recall / F1 are reported on held-out registers that played no part in fitting or choosing:
one with the generator's usual error mix, one with a heavier, different mix and one of a
district in another province.  Recall counts every true pair, also those blocking missed.
The generator's seeds, sizes and error mixes are written into the model's ``training``
section, so the model says how to make it again.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import dataclass, replace
from typing import Any, Iterator

import numpy as np

import benchmarks.generator as generator
from benchmarks.metrics import pairwise_scores
from linkage.io import load
from linkage.prepare import prepare
from resolve.clusters import cluster
from scoring.train import Labelled, TrainConfig, evaluate, fit_model, label_register

HEAVIER = dict(name_homophone=0.14, name_shape=0.07, name_drop_add=0.04, name_traditional=0.06,
               id_blank=0.15, id_garbage=0.03, id_wrong_digit=0.07, id_swap=0.04, id_legacy15=0.08,
               birth_blank=0.3, birth_day_month_swap=0.04, birth_off_by_one=0.04, phone_blank=0.35,
               phone_changed=0.3, address_blank=0.12, address_reword=0.4, spouse_blank=0.25, hard=0.04)
"""A heavier, different mix of clerical errors in duplicate records (evaluation only)."""


@dataclass(frozen=True)
class DefaultRecipe:
    """How the default model is made; written into its ``training`` section."""

    size: int = 30_000
    seeds: tuple[int, ...] = (1, 2, 3)
    validation_seed: int = 11
    test_seeds: tuple[int, ...] = (21,)
    test_size: int = 25_000
    other_district: str = "440305"

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self.__dict__.items()}


@contextlib.contextmanager
def heavier_errors() -> Iterator[None]:
    """Generate with the ``HEAVIER`` mix (the generator's own rates are restored afterwards)."""
    usual = generator.DUPLICATE
    generator.DUPLICATE = replace(usual, **HEAVIER)
    try:
        yield
    finally:
        generator.DUPLICATE = usual


def generated(size: int, seed: int, district: str | None = None) -> Labelled:
    """Generate one register with its truth and label its candidate pairs."""
    made = generator.generate_register(n_records=size, seed=seed, **({"district": district} if district else {}))
    records = prepare(load(made.register))
    return label_register(records, made.truth["person_id"].to_numpy(dtype=object))


def clustered(data: Labelled, probabilities: np.ndarray, threshold: float) -> dict[str, float]:
    """Pairwise scores after clustering (``resolve.clusters``) against the generator's truth."""
    result = cluster(data.records.norm, data.pairs, probabilities, threshold=threshold)
    scores = pairwise_scores(result.labels, data.person)
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def train_default(recipe: DefaultRecipe, out=sys.stdout):
    parts = []
    for seed in recipe.seeds:
        data = generated(recipe.size, seed)
        print(f"seed {seed}: {len(data.y):,} candidate pairs, {int(data.y.sum()):,} matches", file=out)
        parts.append(data)
    validation = generated(recipe.size, recipe.validation_seed)
    model = fit_model(parts, config=TrainConfig(), validation=validation,
                      training={"recipe": recipe.to_dict(), "generator": "benchmarks.generator",
                                "heavier_mix": HEAVIER})
    tests: dict[str, Any] = {}
    for seed in recipe.test_seeds:
        cases = {f"usual_errors_seed_{seed}": lambda: generated(recipe.test_size, seed)}
        if recipe.other_district:
            cases[f"district_{recipe.other_district}_seed_{seed}"] = \
                lambda: generated(recipe.test_size, seed, recipe.other_district)
        for name, make in cases.items():
            tests[name] = _test(model, make(), name, out)
        with heavier_errors():
            data = generated(recipe.test_size, seed)
        tests[f"heavier_errors_seed_{seed}"] = _test(model, data, f"heavier_errors_seed_{seed}", out)
    model.training_["tests"] = tests
    return model


def _test(model, data: Labelled, name: str, out) -> dict[str, Any]:
    report = evaluate(model, data, name, out)
    after = clustered(data, model.predict_proba(data.features), model.threshold_)
    print(f"  after clustering at {model.threshold_:.2f}: precision {after['precision']:.4f} "
          f"recall {after['recall']:.4f} F1 {after['f1']:.4f}", file=out)
    return {**report, "clustered": after}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train_default", description=__doc__.split("\n\n")[0])
    defaults = DefaultRecipe()
    parser.add_argument("--size", type=int, default=defaults.size, help="records per training register")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(defaults.seeds), help="training seeds")
    parser.add_argument("--test-size", type=int, default=defaults.test_size)
    parser.add_argument("-o", "--output", default="scoring/data/default_model.json")
    args = parser.parse_args(argv)
    model = train_default(DefaultRecipe(size=args.size, seeds=tuple(args.seeds), test_size=args.test_size))
    model.to_json(args.output)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
