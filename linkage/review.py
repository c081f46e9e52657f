"""The review loop: the pairs a clerk should judge, and a model trained on her judgements.

``review_pairs(state)`` picks the most informative pairs of a run (uncertainty sampling, as
dedupe's active learning does): the pairs whose probability is nearest the match threshold, with
the pairs of groups sent to verification and the pairs of two valid numbers one part apart (a
re-issued number?) whatever their probability; ``write_review`` lays them side by side in a
workbook (sheet 待判定) with the differing fields highlighted, the model's reasons and a 判定
drop-down (是同一人 / 不是同一人 / 不确定).  ``train_from_labels`` fits a model on the judged pairs
plus the run's other pairs as the current model believes them, its weights pulled toward the
current model's (the shipped default stays the prior: what the clerk did not judge, the model keeps
as it was), and reports cross-validated
precision and recall of the old and the new model on the judged pairs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resolve.documents import mask_id_numbers
from resolve.judged import DIFFERENT_WORDS, SAME_WORDS, judgement_column
from scoring import MatchModel
from scoring.train import Labelled, TrainConfig, fit_model, label_pairs, pairwise

from .errors import ConfigError
from .identity import UNLESS_MATCHED, keep_apart
from .io import read_table
from .prepare import Records
from .state import State, read_state

JUDGEMENTS = ("是同一人", "不是同一人", "不确定")
SHOWN = (("name", "姓名"), ("id_number", "身份证号"), ("birth_date", "出生日期"), ("unit_code", "管理单位代码"),
         ("hukou_code", "户籍地代码"), ("residence_code", "现居住地代码"), ("phone", "联系电话"),
         ("spouse_name", "配偶姓名"), ("spouse_id_number", "配偶身份证号"), ("marital_status", "婚姻状况"))
"""The fields shown side by side: raw column (as the unit typed it) and its Chinese header."""
COMPARED = {"name": "name", "id_number": "id_full", "birth_date": "birth", "unit_code": "unit_code",
            "hukou_code": "hukou_code", "residence_code": "residence_code", "phone": "phone",
            "spouse_name": "spouse_name", "spouse_id_number": "spouse_id", "marital_status": "marital_status"}
"""Each shown field is highlighted when its normalised column differs (not a mere format)."""
MIN_LABELS = 30
"""Fewer usable judged pairs than this, and ``linkage train`` refuses."""
MIN_EACH = 5
"""Each side (same / different) needs at least this many judged pairs."""


def review_pairs(state: State, size: int = 200) -> pd.DataFrame:
    """The ``size`` most informative pairs of a run: l, r (row positions), probability, reasons,
    why ('不确定' / '待核实组' / '可能重新编号'), most informative first."""
    pairs, probs = state.pairs, state.probabilities
    if not len(pairs):
        return pd.DataFrame(columns=["l", "r", "probability", "reasons", "why"])
    threshold = float(state.options.get("threshold", 0.5))
    with np.errstate(divide="ignore"):
        logit = np.log(probs) - np.log1p(-probs)
        distance = np.abs(logit - np.log(threshold / (1 - threshold)))
    ids = np.asarray(state.cluster_ids, dtype=object)
    verify = set(state.verification["cluster_id"]) if "cluster_id" in state.verification.columns else set()
    in_verify = pd.Series(ids[pairs[:, 0]]).isin(verify).to_numpy() & (ids[pairs[:, 0]] == ids[pairs[:, 1]])
    reissued = keep_apart(state.norm, pairs) == UNLESS_MATCHED
    why = np.where(reissued, "可能重新编号", np.where(in_verify, "待核实组", "不确定"))
    # the flagged kinds come first at equal distance; a pair far from the threshold and of no kind is not worth a look
    worth = reissued | in_verify | (distance <= 6.0)
    rank = np.where(reissued | in_verify, distance - 2.0, distance)
    rows = np.flatnonzero(worth)
    rows = rows[np.lexsort((rows, rank[rows]))][:size]
    return pd.DataFrame({"l": pairs[rows, 0], "r": pairs[rows, 1], "probability": np.round(probs[rows], 4),
                         "reasons": state.reasons[rows], "why": why[rows]})


def write_review(out: str | os.PathLike, path: str | os.PathLike, *, size: int = 200, unmasked: bool = False) -> int:
    """Write the review workbook of the run in ``out`` to ``path``; returns the number of pairs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    state = read_state(out)
    chosen = review_pairs(state, size)
    raw, norm = state.raw, state.norm
    book = Workbook()
    sheet = book.active
    sheet.title = "待判定"
    headers = ["record_id_l", "record_id_r", "判定", "匹配概率", "匹配依据", "入选原因"]
    for field, label in SHOWN:
        headers += [f"{label}(左)", f"{label}(右)"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    highlight = PatternFill("solid", fgColor="FFF2CC")
    l, r = chosen["l"].to_numpy(dtype=np.int64), chosen["r"].to_numpy(dtype=np.int64)
    shown = {}
    for field, _ in SHOWN:
        values = raw[field].to_numpy(dtype=object) if field in raw.columns else np.full(len(raw), "", dtype=object)
        if field.endswith("id_number") and not unmasked:
            values = mask_id_numbers(values)
        shown[field] = values
    differ = {field: _differs(norm, COMPARED[field], l, r) for field, _ in SHOWN}
    record_id = norm["record_id"].to_numpy(dtype=object)
    for k in range(len(chosen)):
        row = [str(record_id[l[k]]), str(record_id[r[k]]), "", float(chosen["probability"].iloc[k]),
               str(chosen["reasons"].iloc[k] or ""), str(chosen["why"].iloc[k])]
        for field, _ in SHOWN:
            row += [str(shown[field][l[k]] or ""), str(shown[field][r[k]] or "")]
        sheet.append(row)
        for j, (field, _) in enumerate(SHOWN):
            if differ[field][k]:
                for column in (7 + 2 * j, 8 + 2 * j):
                    sheet.cell(row=k + 2, column=column).fill = highlight
    for row in sheet.iter_rows(min_row=1, max_row=len(chosen) + 1):
        for cell in row:
            cell.number_format = "@" if cell.column != 4 else "0.000"  # ids stay text
    choice = DataValidation(type="list", formula1='"' + ",".join(JUDGEMENTS) + '"', allow_blank=True)
    choice.error, choice.errorTitle = "请选择 是同一人 / 不是同一人 / 不确定", "判定"
    sheet.add_data_validation(choice)
    if len(chosen):
        choice.add(f"C2:C{len(chosen) + 1}")
    sheet.freeze_panes = "D2"
    notes = book.create_sheet("说明")
    for line in ("每行是一对记录:左、右两条记录并排,黄色底色为两条记录不一致的项目。",
                 "请在“判定”列选择:是同一人 / 不是同一人 / 不确定。不确定的行不会用于训练。",
                 "填好后运行:linkage train 本文件 --state 运行文件夹 -o model.json,"
                 "再在以后的 dedupe / update 中使用 --model model.json --judged 本文件。"):
        notes.append([line])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(chosen)


def _differs(norm: pd.DataFrame, column: str, l: np.ndarray, r: np.ndarray) -> np.ndarray:
    """bool (k,): the normalised ``column`` differs between the two records (and is not blank on both)."""
    if column not in norm.columns:
        return np.zeros(len(l), dtype=bool)
    values = norm[column].to_numpy()
    a, b = pd.Series(values[l]).astype(str).to_numpy(), pd.Series(values[r]).astype(str).to_numpy()
    return a != b


def read_labels(path: str | os.PathLike) -> pd.DataFrame:
    """record_id_l, record_id_r, match (1 / 0; unsure rows dropped) from a filled review workbook
    or a CSV.  ConfigError (Chinese first) when the columns are missing."""
    labels = read_table(path, table="other")
    column = judgement_column(labels)
    words = labels[column].astype(str).str.strip().str.lower()
    match = np.where(words.isin(SAME_WORDS), "1", np.where(words.isin(DIFFERENT_WORDS), "0", ""))
    for needed in ("record_id_l", "record_id_r"):
        if needed not in labels.columns:
            raise ConfigError(f"{path}: 缺少列 {needed} (the judged pairs need record_id_l, record_id_r)")
    frame = pd.DataFrame({"record_id_l": labels["record_id_l"], "record_id_r": labels["record_id_r"], "match": match})
    return frame[frame["match"] != ""].reset_index(drop=True)


@dataclass
class Trained:
    """The new model, and cross-validated scores of the old and the new on the judged pairs."""

    model: MatchModel
    old: dict[str, float]
    new: dict[str, float]
    labels: int


PULL_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""Inverse strengths of the pull toward the current model's weights tried by cross-validation, strongest
first (0.003 keeps it nearly as it was; 0.3 is the strength the shipped model was fitted with, toward 0)."""
PRIOR_SAMPLE = 20_000
"""At most this many of the run's other candidate pairs stand for all of them in the prior."""


def _prior_pairs(state: State, records: Records, model: MatchModel, judged: np.ndarray, seed: int = 0) -> Labelled:
    """The run's candidate pairs the clerk did not judge, as the current model believes them (the prior).

    A uniform sample of at most PRIOR_SAMPLE of them, each row weighted by how many pairs it stands
    for, and each pair twice: a match counted p times and a non-match 1 - p times, p the current
    model's probability.  Fitted alone, these give back the current model; with the judged pairs
    the fit moves only as far as the judgements disagree with it.  And the weighted set is the
    run's whole population of pairs, not the review list's band near the threshold (which
    over-represents the hard pairs), so the intercept is the register's.
    judged: int64 (k, 2) row positions of the judged pairs."""
    from scoring.features import Features, compare

    pairs = np.sort(np.asarray(state.pairs, dtype=np.int64).reshape(-1, 2), axis=1)
    width = np.int64(max(len(records.norm), 1))
    others = np.flatnonzero(~np.isin(pairs[:, 0] * width + pairs[:, 1], judged[:, 0] * width + judged[:, 1]))
    rows = np.sort(np.random.default_rng(seed).permutation(others)[:PRIOR_SAMPLE])
    features = compare(records.norm, records.norm, pairs[rows])
    p = model.predict_proba(features)
    stands_for = len(others) / max(len(rows), 1)
    doubled = Features(np.concatenate([features.matrix, features.matrix]), features.names)
    weight = stands_for * np.r_[p, 1.0 - p]
    y = np.r_[np.ones(len(rows), dtype=bool), np.zeros(len(rows), dtype=bool)]
    return Labelled(doubled, y, float(weight[: len(rows)].sum()), np.r_[pairs[rows], pairs[rows]], records,
                    weight=weight)


def train_from_labels(labels_path: str | os.PathLike, out: str | os.PathLike, *, folds: int = 5,
                      seed: int = 0) -> Trained:
    """A model from the judged pairs of ``labels_path`` over the register of the run in ``out``."""
    state = read_state(out)
    records = Records(raw=state.raw, norm=state.norm, flags=state.flags)
    labels = read_labels(labels_path)
    judged = label_pairs(records, labels, source=str(labels_path))
    same, different = int(judged.y.sum()), int((~judged.y).sum())
    if len(judged.y) < MIN_LABELS:
        raise ConfigError(f"{labels_path}: 只有 {len(judged.y)} 对已判定的记录,至少需要 {MIN_LABELS} 对 "
                          f"(only {len(judged.y)} judged pairs; at least {MIN_LABELS} are needed)")
    if min(same, different) < MIN_EACH:
        raise ConfigError(f"{labels_path}: 判定为同一人 {same} 对、不是同一人 {different} 对;两种都至少需要 {MIN_EACH} 对 "
                          f"(the judgements are one-sided: {same} same, {different} different)")
    old_model = MatchModel.from_dict(state.info["model"]) if state.info.get("model") else None
    if old_model is None:
        from scoring import default_model

        old_model = default_model()
    prior = _prior_pairs(state, records, old_model, judged.pairs, seed)
    # cross-validated: each fold's pairs are scored by a model fitted without them; the pull toward the
    # current model (C) is the one whose held-out judgements are best predicted (log-loss), the strongest pull
    # on a tie: 500 judgements move the weights only as far as they bear out
    fold = np.random.default_rng(seed).permutation(len(judged.y)) % folds
    threshold = float(old_model.threshold_)
    best: tuple[float, float, np.ndarray] | None = None
    for C in PULL_GRID:
        held, decided = np.zeros(len(judged.y)), np.zeros(len(judged.y))
        for k in range(folds):
            fitted = fit_model([_subset(judged, fold != k), prior], prior=old_model, config=TrainConfig(C=C))
            held[fold == k] = fitted.predict_proba(judged.features.matrix[fold == k])
            decided[fold == k] = held[fold == k] >= threshold  # judged as that fold's model would
        loss = _log_loss(held, judged.y)
        if best is None or loss < best[1] - 1e-9:
            best = (C, loss, decided)
    assert best is not None
    C, loss, decided = best
    model = fit_model([judged, prior], prior=old_model, config=TrainConfig(C=C),
                      training={"judged_pairs": len(judged.y), "prior_pairs": len(prior.y) // 2,
                                "from": str(labels_path), "pull_C_grid": list(PULL_GRID),
                                "held_out_log_loss": round(loss, 4),
                                "prior_log_loss": round(_log_loss(old_model.predict_proba(judged.features),
                                                                  judged.y), 4)})
    # the threshold stays the current model's: it was chosen on the truth of a validation register's every
    # pair, at a precision floor (MIN_PRECISION) that a few hundred judgements cannot resolve; the intercept is
    # fitted, so the new model's probabilities meet that threshold on this office's scale
    model.threshold = model.threshold_ = threshold
    model.training_["threshold_chosen_on"] = "kept from the model it replaces"
    old_probs = old_model.predict_proba(judged.features.matrix)
    old = pairwise(old_probs, judged.y, same, float(old_model.threshold_))
    new = pairwise(decided, judged.y, same, 0.5)
    new["threshold"] = float(model.threshold_)
    return Trained(model=model, old=old, new=new, labels=len(judged.y))


def _log_loss(probs: np.ndarray, y: np.ndarray) -> float:
    """Mean log-loss of probabilities (k,) against judgements y (k,) bool."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-6, 1 - 1e-6)
    return float(-np.mean(np.where(y, np.log(p), np.log1p(-p))))


def _subset(data: Labelled, mask: np.ndarray) -> Labelled:
    from scoring.features import Features

    features = Features(data.features.matrix[mask], data.features.names)
    return Labelled(features, data.y[mask], int(data.y[mask].sum()), data.pairs[mask], data.records)
