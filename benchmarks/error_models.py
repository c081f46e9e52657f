"""Named error models: how the clerks of an office type a woman's records (data, not code).

An :class:`ErrorModel` holds the rates of the first record of a woman (``original``) and of each
further copy (``duplicate``) as :class:`benchmarks.corruptions.ErrorRates`, plus the person-level
shares: women held in two or more records whose later copies carry a re-issued number, and
look-alike women (twins, sisters, mother and daughter, namesakes).

- ``usual``: today's generator (its rates are looked up in benchmarks.generator at call time);
- ``other_clerks``: fewer exact copies, more dialect and input-method errors (fuzzy pinyin,
  homophones, misread polyphonic surnames), more date forms (two-digit years, Excel serials,
  year-month only, placeholders, lunar birthdays), some re-issued numbers and mothers with daughters;
- ``harsh``: about 45% of duplicate copies carry a name error, 35% an ID error, 25% a date error
  (some all three), plus field swaps, wrong sex, re-issued numbers.
- ``paper_cards``: *not* in the shipped model's training mix (benchmarks.train_default): records
  typed from old handwritten cards by a data-entry contractor -- similar-shaped characters and
  traditional forms rather than homophones or dialect, handwritten digits misread (1/7, 0/6, 3/8),
  a quarter of the copies with no ID number and many with the legacy 15-digit one, year-month-only
  birth dates, no phone, hukou and residence codes often blank.  Kept out of the mix so that the
  review loop can be measured on clerks the default model has never seen (benchmarks.train_eval).

``generate_register(..., errors=...)`` takes a name, an ErrorModel, or a mix: a sequence of them
(equal weights) or a mapping to weights; each woman then draws her model from the mix.

>>> [m.name for m in resolve_errors({"usual": 1, "harsh": 3})[0]]
['usual', 'harsh']
>>> ErrorModel.from_dict(HARSH.to_dict()) == HARSH
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from benchmarks.corruptions import DUPLICATE, ORIGINAL, ErrorRates


@dataclass(frozen=True)
class ErrorModel:
    """Rates of one office's clerks. lookalike_mix: shares of twin, sister, mother_daughter, namesake."""

    name: str
    original: ErrorRates = field(default_factory=ErrorRates)
    duplicate: ErrorRates = DUPLICATE
    reissued: float = 0.0  # share of women with 2+ records whose later copies hold a re-issued number
    reissued_birth: float = 0.7  # of those: the birth-date digits changed (else the sequence digits)
    lookalikes: float = 0.03  # share of women built to resemble another
    lookalike_mix: tuple[float, float, float, float] = (0.35, 0.35, 0.0, 0.30)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> ErrorModel:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("original", "duplicate"):
            if isinstance(known.get(key), Mapping):
                known[key] = ErrorRates(**{k: v for k, v in known[key].items() if k in ErrorRates.__dataclass_fields__})
        if "lookalike_mix" in known:
            known["lookalike_mix"] = tuple(known["lookalike_mix"])
        return cls(**known)


USUAL = ErrorModel("usual", ORIGINAL, DUPLICATE)
"""Today's default (as defined when this module was imported; the generator reads its own globals)."""

OTHER_CLERKS = ErrorModel(
    "other_clerks",
    original=replace(ORIGINAL, name_homophone=0.015, name_fuzzy_pinyin=0.012, name_surname_reading=0.1,
                     birth_two_digit_year=0.006, birth_excel_serial=0.004, birth_year_month=0.004,
                     birth_placeholder_jan1=0.004, birth_lunar=0.006, id_handwriting=0.003, sex_wrong=0.004),
    duplicate=replace(
        DUPLICATE, name_homophone=0.11, name_fuzzy_pinyin=0.09, name_shape=0.03, name_surname_reading=0.4,
        name_traditional=0.015, name_drop_add=0.025, name_space=0.05,
        id_blank=0.05, id_garbage=0.01, id_legacy15=0.04, id_wrong_digit=0.035, id_swap=0.02, id_fullwidth=0.01,
        id_two_digits=0.015, id_region_prefix=0.02, id_legacy15_typo=0.01, id_drop_add=0.01, id_handwriting=0.015,
        id_placeholder=0.005, phone_in_id=0.004,
        birth_blank=0.1, birth_day_month_swap=0.015, birth_off_by_one=0.02, birth_two_digit_year=0.035,
        birth_excel_serial=0.025, birth_year_month=0.025, birth_placeholder_1900=0.01, birth_placeholder_jan1=0.02,
        birth_lunar=0.035, swap_spouse_id=0.01, sex_wrong=0.01, phone_blank=0.2, phone_changed=0.2,
        address_reword=0.3, spouse_name_typo=0.05, hard=0.01),
    reissued=0.01, lookalikes=0.04, lookalike_mix=(0.3, 0.3, 0.15, 0.25))

HARSH = ErrorModel(
    "harsh",
    original=replace(ORIGINAL, name_homophone=0.02, name_fuzzy_pinyin=0.015, name_shape=0.01,
                     name_surname_reading=0.15, id_wrong_digit=0.01, id_two_digits=0.004, id_handwriting=0.004,
                     birth_two_digit_year=0.005, birth_lunar=0.005, birth_placeholder_jan1=0.005, sex_wrong=0.005),
    duplicate=replace(
        DUPLICATE, name_homophone=0.19, name_fuzzy_pinyin=0.17, name_shape=0.10, name_surname_reading=0.5,
        name_traditional=0.05, name_drop_add=0.06, name_space=0.05,
        id_blank=0.06, id_garbage=0.015, id_legacy15=0.05, id_wrong_digit=0.07, id_swap=0.03, id_fullwidth=0.02,
        id_two_digits=0.05, id_region_prefix=0.04, id_legacy15_typo=0.04, id_drop_add=0.025, id_handwriting=0.04,
        id_placeholder=0.02, phone_in_id=0.01,
        birth_blank=0.12, birth_day_month_swap=0.03, birth_off_by_one=0.03, birth_two_digit_year=0.045,
        birth_excel_serial=0.03, birth_year_month=0.03, birth_placeholder_1900=0.02, birth_placeholder_jan1=0.03,
        birth_lunar=0.06, swap_spouse_id=0.02, sex_wrong=0.02, phone_blank=0.25, phone_changed=0.25,
        address_blank=0.1, address_reword=0.35, spouse_blank=0.2, spouse_name_typo=0.06, spouse_id_typo=0.05,
        hard=0.03),
    reissued=0.03, lookalikes=0.05, lookalike_mix=(0.3, 0.3, 0.15, 0.25))

PAPER_CARDS = ErrorModel(
    "paper_cards",
    original=replace(ORIGINAL, name_shape=0.03, name_traditional=0.02, name_homophone=0.003, id_handwriting=0.02,
                     id_blank=0.06, birth_year_month=0.01, phone_blank=0.3, hukou_code_blank=0.12),
    duplicate=replace(
        DUPLICATE, name_homophone=0.015, name_shape=0.16, name_traditional=0.08, name_drop_add=0.04, name_space=0.01,
        id_blank=0.25, id_garbage=0.01, id_legacy15=0.15, id_wrong_digit=0.03, id_swap=0.04, id_fullwidth=0.005,
        id_handwriting=0.12, id_drop_add=0.03,
        birth_blank=0.05, birth_day_month_swap=0.04, birth_off_by_one=0.01, birth_year_month=0.06,
        phone_blank=0.5, phone_changed=0.3, address_blank=0.04, address_reword=0.4, spouse_blank=0.1,
        spouse_name_typo=0.08, spouse_id_typo=0.04, hukou_code_blank=0.2, residence_code_blank=0.15, hard=0.02),
    reissued=0.0, lookalikes=0.03)
"""Handwritten cards typed by a contractor: an error model *outside* the default model's training mix."""

MODELS: dict[str, ErrorModel] = {m.name: m for m in (USUAL, OTHER_CLERKS, HARSH, PAPER_CARDS)}
"""The named models."""

Errors = str | ErrorModel | Sequence[str | ErrorModel] | Mapping[str | ErrorModel, float]


def _model(spec: str | ErrorModel, usual: ErrorModel) -> ErrorModel:
    if isinstance(spec, ErrorModel):
        return spec
    if spec == "usual":
        return usual
    if spec not in MODELS:
        raise ValueError(f"unknown error model {spec!r}; known: {', '.join(MODELS)}")
    return MODELS[spec]


def resolve_errors(errors: Errors | None, usual: ErrorModel = USUAL) -> tuple[list[ErrorModel], np.ndarray]:
    """The models of ``errors`` and their weights (m,), summing to 1; 'usual' is ``usual``."""
    if errors is None or isinstance(errors, (str, ErrorModel)):
        return [_model(errors or "usual", usual)], np.ones(1)
    items = list(errors.items()) if isinstance(errors, Mapping) else [(e, 1.0) for e in errors]
    if not items:
        raise ValueError("an empty mix of error models")
    models = [_model(spec, usual) for spec, _ in items]
    weights = np.array([float(w) for _, w in items])
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("mix weights must be non-negative and not all 0")
    return models, weights / weights.sum()
