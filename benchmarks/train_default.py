"""Train the shipped default model (scoring/data/default_model.json) on generated registers.

    python -m benchmarks.train_default [--size 30000] [--seeds 1 2 3] [-o scoring/data/default_model.json]

Each training register is generated with its truth (``benchmarks.generator``), its women typed
by clerks of a *mix* of error models (``benchmarks.error_models``: usual, other_clerks, harsh,
each woman drawing one), labelled and fitted by ``scoring.train`` (the installed trainer an
office uses on its own labels): a model fitted on one error model learns that model's errors,
not clerks'.  The threshold is chosen on a separate validation register of the same mix (the
best pairwise F1 whose precision is at least MIN_PRECISION: a false match is a wrong
cancellation), and precision / recall / F1 are reported on held-out registers that played no
part in fitting or choosing: one per error model, and one of a district in another province.
Recall counts every true pair, also those blocking missed.
The generator's seeds, sizes and error mixes are written into the model's ``training``
section, so the model says how to make it again.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import benchmarks.generator as generator
from benchmarks.metrics import pairwise_scores
from linkage.io import load
from linkage.prepare import prepare
from resolve.clusters import cluster
from scoring.train import Labelled, TrainConfig, evaluate, fit_model, label_register

@dataclass(frozen=True)
class DefaultRecipe:
    """How the default model is made; written into its ``training`` section."""

    sizes: tuple[int, ...] = (30_000, 60_000, 150_000)
    """One training register per size: a district's and a city's, so the model sees how much a
    common name's agreement weighs when there are few namesakes and when there are many."""
    seeds: tuple[int, ...] = (1, 2, 3)
    size: int = 30_000
    """The validation register's size."""
    validation_seed: int = 11
    test_seeds: tuple[int, ...] = (21,)
    test_size: int = 25_000
    other_district: str = "440305"
    mix: dict[str, float] = field(default_factory=lambda: {"usual": 1.0, "other_clerks": 1.0, "harsh": 1.0})
    tests: tuple[str, ...] = ("usual", "other_clerks", "harsh")

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self.__dict__.items()}


def generated(size: int, seed: int, errors: Any = "usual", district: str | None = None) -> Labelled:
    """Generate one register with its truth and label its candidate pairs."""
    made = generator.generate_register(n_records=size, seed=seed, errors=errors,
                                       **({"district": district} if district else {}))
    records = prepare(load(made.register))
    return label_register(records, made.truth["person_id"].to_numpy(dtype=object))


def clustered(data: Labelled, probabilities: np.ndarray, threshold: float) -> dict[str, float]:
    """Pairwise scores after clustering (``resolve.clusters``) against the generator's truth."""
    result = cluster(data.records.norm, data.pairs, probabilities, threshold=threshold)
    scores = pairwise_scores(result.labels, data.person)
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}


def train_default(recipe: DefaultRecipe, out=sys.stdout):
    parts = []
    for seed, size in zip(recipe.seeds, recipe.sizes):
        data = generated(size, seed, recipe.mix)
        print(f"seed {seed}: {len(data.y):,} candidate pairs, {int(data.y.sum()):,} matches", file=out)
        parts.append(data)
    validation = generated(recipe.size, recipe.validation_seed, recipe.mix)
    model = fit_model(parts, config=TrainConfig(), validation=validation,
                      training={"recipe": recipe.to_dict(), "generator": "benchmarks.generator"})
    tests: dict[str, Any] = {}
    for seed in recipe.test_seeds:
        for errors in recipe.tests:
            name = f"{errors}_errors_seed_{seed}"
            tests[name] = _test(model, generated(recipe.test_size, seed, errors), name, out)
        if recipe.other_district:
            name = f"district_{recipe.other_district}_seed_{seed}"
            tests[name] = _test(model, generated(recipe.test_size, seed, recipe.mix, recipe.other_district), name, out)
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
    parser.add_argument("--sizes", type=int, nargs="+", default=list(defaults.sizes),
                        help="records of each training register")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(defaults.seeds), help="training seeds")
    parser.add_argument("--test-size", type=int, default=defaults.test_size)
    parser.add_argument("-o", "--output", default="scoring/data/default_model.json")
    args = parser.parse_args(argv)
    if len(args.sizes) != len(args.seeds):
        parser.error("give one --sizes entry per --seeds entry")
    model = train_default(DefaultRecipe(sizes=tuple(args.sizes), seeds=tuple(args.seeds), test_size=args.test_size))
    model.to_json(args.output)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
