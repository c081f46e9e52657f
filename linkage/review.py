"""The review loop: the pairs a clerk should judge, and a model trained on her judgements.

``review_pairs(state)`` picks the most informative pairs of a run (uncertainty sampling, as
dedupe's active learning does): the pairs whose probability is nearest the match threshold, with
the pairs of groups sent to verification and the pairs of two valid numbers one part apart (a
re-issued number?) whatever their probability; ``write_review`` lays them side by side in a
workbook (sheet 待判定) with the differing fields highlighted, the model's reasons and a 判定
drop-down (是同一人 / 不是同一人 / 不确定).  ``train_from_labels`` fits a model on the judged pairs
plus the confident pairs of the run as the current model scored them (the shipped default stays
the prior: what the clerk did not judge, the model keeps as it was), and reports cross-validated
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
from scoring.train import Labelled, fit_model, label_pairs, pairwise

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


def _prior_pairs(state: State, records: Records, model: Any, n_labels: int, seed: int = 0) -> Labelled:
    """Confident pairs of the run, labelled as the current model scored them (the prior)."""
    probs = state.probabilities
    sure_same, sure_apart = np.flatnonzero(probs >= 0.99), np.flatnonzero(probs <= 0.01)
    rng = np.random.default_rng(seed)
    take = max(2 * n_labels, 500)
    rows = np.r_[rng.permutation(sure_same)[:take], rng.permutation(sure_apart)[:take]]
    ids = records.norm["record_id"].to_numpy(dtype=object)
    frame = pd.DataFrame({"record_id_l": ids[state.pairs[rows, 0]], "record_id_r": ids[state.pairs[rows, 1]],
                          "match": np.where(probs[rows] >= 0.5, "1", "0")})
    return label_pairs(records, frame, source="the run's confident pairs")


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
    prior = _prior_pairs(state, records, old_model, len(judged.y), seed)
    # cross-validated: each fold's pairs are scored by a model fitted without them
    fold = np.random.default_rng(seed).permutation(len(judged.y)) % folds
    held = np.zeros(len(judged.y))
    for k in range(folds):
        train = _subset(judged, fold != k)
        fitted = fit_model([train, prior])
        held[fold == k] = fitted.predict_proba(judged.features.matrix[fold == k])
        held[fold == k] = held[fold == k] >= fitted.threshold_  # judged as that fold's model would
    model = fit_model([judged, prior],
                      training={"judged_pairs": len(judged.y), "prior_pairs": len(prior.y), "from": str(labels_path)})
    old_probs = old_model.predict_proba(judged.features.matrix)
    old = pairwise(old_probs, judged.y, same, float(old_model.threshold_))
    new = pairwise(held, judged.y, same, 0.5)
    new["threshold"] = float(model.threshold_)
    return Trained(model=model, old=old, new=new, labels=len(judged.y))


def _subset(data: Labelled, mask: np.ndarray) -> Labelled:
    from scoring.features import Features

    features = Features(data.features.matrix[mask], data.features.names)
    return Labelled(features, data.y[mask], int(data.y[mask].sum()), data.pairs[mask], data.records)
