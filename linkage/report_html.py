"""``OUT/report.html``: one self-contained page to look at a run (no network, no script, no CDN).

What it shows, each chart an inline SVG drawn here:

- the run's figures (the counts printed on standard output, and what each counts);
- the match probabilities of every candidate pair (a histogram, counts on a log scale) with
  the match and review thresholds;
- the model's weights, one bar per comparison grade, under its Chinese reason;
- for the pairs nearest the match threshold, the reasons behind each probability as a
  waterfall (as Splink draws it): the intercept, then each grade's weight that the pair
  carries, ending at the pair's log-odds, i.e. its probability;
- clusters (women held more than once) per street;
- for an audit run, the findings per street (the summary's counts).

The page is a plain HTML file: it opens offline in any browser and prints.  Text is escaped;
nothing of the register other than record numbers, names and unit codes is shown (no ID
numbers).
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .codes import street_of

REPORT_NAME = "report.html"
NEAREST = 6
"""Pairs nearest the match threshold shown as waterfalls."""
BINS = 50
"""Bins of the probability histogram."""
FIGURE_LABELS = {
    "records": "记录数", "flagged_values": "有问题的字段值(flags.csv 行数)", "candidate_pairs": "候选记录对",
    "matched_pairs": "判为同一人的记录对", "clusters_of_2_plus": "重复组(2条及以上记录)",
    "records_in_clusters": "重复组中的记录", "notices": "通报(份)", "notice_records": "通报涉及的记录(notices.csv 行数)",
    "undetermined": "待核实的重复组(verification.csv 行数)",
}
AUDIT_COLUMNS = {"duplicates": "重复记录", "separated": "人户分离", "logic_errors": "逻辑错误", "logic_warnings": "逻辑警告",
                 "illegal_birth_issues": "违法生育上报问题", "missing": "漏管育龄妇女"}
COMMON_LABELS = {"name": "姓名", "birth": "出生日期", "phone": "联系电话", "residence_address": "现居住地址",
                 "hukou_address": "户籍地址"}
"""A frequency feature ('name:commonness') has no reason text in the model: it reads '姓名的常见程度'."""
COLOURS = ("#4472c4", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646")
_STYLE = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei","SimSun",sans-serif;margin:24px;color:#222;
max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #bbb;padding:3px 8px}th{background:#ddebf7}
td.n{text-align:right}.note{color:#555;font-size:13px}svg{display:block;margin:8px 0}
.pairs{display:flex;flex-wrap:wrap;gap:12px}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _bars(labels: list[str], series: dict[str, np.ndarray], *, width: int = 1000, height: int = 300,
          title: str = "") -> str:
    """Vertical stacked bars: one bar per label, a segment per series (n,)."""
    n = len(labels)
    if not n:
        return ""
    totals = np.sum([np.asarray(v, dtype=float) for v in series.values()], axis=0)
    top = max(1.0, float(totals.max()))
    left, bottom, plot_h = 50, 60, height - 90
    step = (width - left - 160) / n
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(title)}">']
    for k in range(5):
        v = top * k / 4
        y = height - bottom - plot_h * k / 4
        parts.append(f'<line x1="{left}" x2="{width - 160}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{v:,.0f}</text>')
    base = np.zeros(n)
    for s, (name, values) in enumerate(series.items()):
        values = np.asarray(values, dtype=float)
        for i in range(n):
            h = plot_h * values[i] / top
            y = height - bottom - plot_h * (base[i] + values[i]) / top
            parts.append(f'<rect x="{left + i * step + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}"><title>{_e(labels[i])} '
                         f'{_e(name)}: {values[i]:,.0f}</title></rect>')
        base += values
        parts.append(f'<rect x="{width - 150}" y="{20 + 18 * s}" width="12" height="12" '
                     f'fill="{COLOURS[s % len(COLOURS)]}"/><text x="{width - 132}" y="{30 + 18 * s}" '
                     f'font-size="12">{_e(name)}</text>')
    for i, label in enumerate(labels):
        x = left + i * step + step / 2
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="11" text-anchor="end" '
                     f'transform="rotate(-35 {x:.1f} {height - bottom + 14})">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_counts(probabilities: np.ndarray) -> np.ndarray:
    """int64 (BINS,): candidate pairs per probability bin (0.02 wide); counts of parts of the pairs
    add up to the counts of all of them (the Spark engine counts each batch)."""
    return np.histogram(np.clip(np.asarray(probabilities, dtype=float), 0, 1), bins=BINS, range=(0, 1))[0]


def probability_histogram(counts: np.ndarray, threshold: float, review: float, *, width: int = 1000,
                          height: int = 280) -> str:
    """``counts`` (BINS,) of ``histogram_counts`` drawn on a log scale, thresholds marked."""
    counts, edges = np.asarray(counts, dtype=np.int64), np.linspace(0, 1, BINS + 1)
    left, bottom, plot_w, plot_h = 60, 40, width - 80, height - 70
    top = math.log10(max(10, counts.max(initial=1)) + 1)
    x = lambda p: left + plot_w * p  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="匹配概率分布">']
    for k in range(int(math.ceil(top)) + 1):
        y = height - bottom - plot_h * k / top
        if y >= height - bottom - plot_h - 1:
            parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                         f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{10 ** k:,}</text>')
    for count, lo, hi in zip(counts, edges[:-1], edges[1:]):
        h = plot_h * math.log10(count + 1) / top
        colour = COLOURS[0] if lo >= threshold else "#a6a6a6"
        parts.append(f'<rect x="{x(lo) + 1:.1f}" y="{height - bottom - h:.1f}" width="{x(hi) - x(lo) - 2:.1f}" '
                     f'height="{h:.1f}" fill="{colour}"><title>{lo:.2f}-{hi:.2f}: {count:,} 对</title></rect>')
    for k in range(11):
        parts.append(f'<text x="{x(k / 10):.1f}" y="{height - bottom + 16}" font-size="11" '
                     f'text-anchor="middle">{k / 10:.1f}</text>')
    for value, name, colour in ((threshold, "匹配阈值", "#c00000"), (review, "复核阈值", "#e69500")):
        parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{height - bottom - plot_h}" '
                     f'y2="{height - bottom}" stroke="{colour}" stroke-width="2" stroke-dasharray="6 3"/>'
                     f'<text x="{x(value) + 4:.1f}" y="{height - bottom - plot_h + 12 + (14 if value == review else 0)}"'
                     f' font-size="12" fill="{colour}">{name} {value:.2f}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" font-size="12" text-anchor="middle">匹配概率</text>'
                 "</svg>")
    return "".join(parts)


def weight_chart(names: list[str], weights: np.ndarray, *, width: int = 1000) -> str:
    """One horizontal bar per feature (its log-odds weight), positive to the right."""
    order = np.argsort(-np.asarray(weights, dtype=float), kind="stable")
    row, label_w = 16, 330
    height = row * len(order) + 30
    span = max(1e-9, float(np.abs(weights).max(initial=1)))
    mid = label_w + (width - label_w - 20) / 2
    scale = (width - label_w - 40) / 2 / span
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="模型权重"><line x1="{mid}" x2="{mid}" y1="0" y2="{height - 20}" stroke="#888"/>']
    for k, i in enumerate(order):
        w = float(weights[i])
        y = 4 + k * row
        x0 = mid if w >= 0 else mid + w * scale
        parts.append(f'<text x="{label_w - 6}" y="{y + 11}" font-size="11" text-anchor="end">{_e(names[i])}</text>'
                     f'<rect x="{x0:.1f}" y="{y}" width="{abs(w) * scale:.1f}" height="{row - 4}" '
                     f'fill="{"#4472c4" if w >= 0 else "#c0504d"}"><title>{_e(names[i])}: {w:+.2f}</title></rect>'
                     f'<text x="{(mid + w * scale + (4 if w >= 0 else -4)):.1f}" y="{y + 11}" font-size="10" '
                     f'text-anchor="{"start" if w >= 0 else "end"}">{w:+.2f}</text>')
    parts.append(f'<text x="{mid}" y="{height - 4}" font-size="11" text-anchor="middle">权重(对数几率),右为支持同一人'
                 "</text></svg>")
    return "".join(parts)


def waterfall(steps: list[tuple[str, float]], *, title: str, width: int = 540) -> str:
    """A waterfall of log-odds steps (label, weight), the first the intercept; ends at the sum
    and its probability."""
    row, label_w = 18, 250
    total = float(sum(w for _, w in steps))
    cumulative = np.cumsum([w for _, w in steps])
    lo, hi = min(0.0, float(cumulative.min(initial=0))), max(0.0, float(cumulative.max(initial=0)))
    lo, hi = min(lo, total) - 0.5, max(hi, total) + 0.5
    plot = width - label_w - 110
    x = lambda v: label_w + plot * (v - lo) / (hi - lo)  # noqa: E731
    height = row * (len(steps) + 1) + 44
    probability = 1 / (1 + math.exp(-total))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{_e(title)}"><text x="4" y="14" font-size="12" font-weight="bold">{_e(title)}</text>'
             f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="20" y2="{height - 18}" stroke="#888"/>']
    start = 0.0
    for k, (label, w) in enumerate(steps):
        y = 22 + k * row
        a, b = sorted((start, start + w))
        colour = "#7f7f7f" if k == 0 else ("#4472c4" if w >= 0 else "#c0504d")
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">{_e(label)}</text>'
                     f'<rect x="{x(a):.1f}" y="{y}" width="{max(1.0, x(b) - x(a)):.1f}" height="{row - 4}" '
                     f'fill="{colour}"><title>{_e(label)}: {w:+.2f}</title></rect>'
                     f'<text x="{x(b) + 3:.1f}" y="{y + 12}" font-size="10">{w:+.2f}</text>')
        start += w
    y = 22 + len(steps) * row
    parts.append(f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end" font-weight="bold">合计</text>'
                 f'<rect x="{x(min(0, total)):.1f}" y="{y}" width="{abs(x(total) - x(0)):.1f}" height="{row - 4}" '
                 f'fill="#333"/><text x="{x(max(0, total)) + 3:.1f}" y="{y + 12}" font-size="11">{total:+.2f} → 概率 '
                 f'{probability:.3f}</text></svg>')
    return "".join(parts)


def feature_labels(model: Any) -> list[str]:
    """The Chinese reason of each of the model's features (its name where it has none)."""
    labels = getattr(model, "labels_", {}) or {}
    out = []
    for name in model.feature_names_:
        field, _, grade = name.partition(":")
        common = f"{COMMON_LABELS[field]}的常见程度" if grade == "commonness" and field in COMMON_LABELS else name
        out.append(labels.get(name, common))
    return out


@dataclass(frozen=True)
class NearPair:
    """A pair drawn as a waterfall: who (its record ids and names), its probability, and its
    comparison row float (features,) under the model."""

    who: str
    probability: float
    features: np.ndarray


def nearest_indices(probabilities: np.ndarray, threshold: float, k: int = NEAREST) -> np.ndarray:
    """int (<= k,): the pairs nearest the threshold, ties in pair order."""
    return np.argsort(np.abs(np.asarray(probabilities, dtype=float) - threshold), kind="stable")[:k]


def who_of(left: pd.Series, right: pd.Series) -> str:
    """A pair's caption from its two normalised records (rows of the norm frame)."""
    who = f"{left['record_id']} — {right['record_id']}"
    return who + (f"({left['name']} / {right['name']})" if "name" in left.index else "")


def near_pairs(result: Any, k: int = NEAREST) -> list[NearPair]:
    """The ``k`` pairs of ``result`` (a DedupeResult) nearest the match threshold."""
    scored, model, profile = result.scored, getattr(result, "model", None), getattr(result, "profile", None)
    if model is None or profile is None or not len(scored.pairs) or not hasattr(model, "coef_"):
        return []
    chosen = nearest_indices(scored.probabilities, scored.threshold, k)
    norm = result.records.norm
    matrix = np.asarray(profile.compare(norm, norm, scored.pairs[chosen]).matrix, dtype=float)
    return [NearPair(who_of(norm.iloc[scored.pairs[at][0]], norm.iloc[scored.pairs[at][1]]),
                     float(scored.probabilities[at]), matrix[row]) for row, at in enumerate(chosen)]


def nearest_pairs(model: Any, pairs: list[NearPair]) -> list[str]:
    """Waterfalls of ``pairs``: the intercept, then each grade's weight the pair carries."""
    if model is None or not hasattr(model, "coef_"):
        return []
    names = feature_labels(model)
    out = []
    for pair in pairs:
        contrib = model.coef_ * pair.features
        used = np.flatnonzero(np.abs(contrib) > 1e-6)
        used = used[np.argsort(-np.abs(contrib[used]), kind="stable")]
        steps = [("截距(先验)", float(model.intercept_))] + [(names[i], float(contrib[i])) for i in used]
        out.append(waterfall(steps, title=f"{pair.who}  概率 {pair.probability:.3f}"))
    return out


def clusters_per_street(result: Any) -> pd.DataFrame:
    """Per street (first 9 digits of the unit code): duplicate groups with a record there, and
    those records; streets with most first."""
    grouped = result.clustering.sizes > 1
    return streets_of(result.records.norm["unit_code"].to_numpy(dtype=object)[grouped],
                      np.asarray(result.cluster_ids, dtype=object)[grouped])


def streets_of(unit_codes: np.ndarray, cluster_ids: np.ndarray) -> pd.DataFrame:
    """``clusters_per_street`` from the unit codes and cluster ids (object (m,)) of the records in
    clusters of two or more."""
    frame = pd.DataFrame({"street": street_of(pd.Series(unit_codes, dtype=object).astype(str).to_numpy(dtype=object)),
                          "cluster": np.asarray(cluster_ids, dtype=object)})
    if not len(frame):
        return pd.DataFrame(columns=["street", "clusters", "records"])
    table = frame.groupby("street").agg(clusters=("cluster", "nunique"), records=("cluster", "size")).reset_index()
    return table.sort_values(["clusters", "street"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _table(frame: pd.DataFrame, headers: dict[str, str]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers.values())
    rows = []
    for _, r in frame.iterrows():  # a table of at most a few hundred streets
        cells = "".join(f'<td class="n">{r[c]:,}</td>' if isinstance(r[c], (int, np.integer)) else f"<td>{_e(r[c])}</td>"
                        for c in headers)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


@dataclass
class ReportFacts:
    """What the page shows of a run: figures (the summary's counts), histogram int (BINS,) of
    ``histogram_counts``, the thresholds, the model, the pairs nearest the threshold, and the
    streets table of ``clusters_per_street``.  ``facts_of`` gathers them from a DedupeResult; the
    Spark engine gathers the same from its DataFrames (``linkage.spark.outputs``)."""

    figures: dict[str, Any]
    histogram: np.ndarray
    threshold: float
    review_threshold: float
    model: Any
    nearest: list[NearPair]
    streets: pd.DataFrame


def facts_of(result: Any) -> ReportFacts:
    """The ReportFacts of a ``DedupeResult``."""
    if isinstance(result, ReportFacts):
        return result
    scored = result.scored
    return ReportFacts(result.summary(), histogram_counts(scored.probabilities), scored.threshold,
                       scored.review_threshold, getattr(result, "model", None), near_pairs(result),
                       clusters_per_street(result))


def render_report(result: Any, *, title: str = "查重运行报告", audit_summary: pd.DataFrame | None = None,
                  as_of: Any = None, district: str | None = None) -> str:
    """The report page of a ``DedupeResult`` or of ReportFacts (and the audit's summary,
    SUMMARY_COLUMNS, if given)."""
    facts = facts_of(result)
    figures = facts.figures
    when = f"截至 {pd.Timestamp(as_of):%Y-%m-%d}" if as_of is not None else ""
    where = f"辖区 {district}" if district else ""
    body = [f"<h1>{_e(title)}</h1><p class='note'>{_e('  '.join(p for p in (where, when) if p))}</p>",
            "<h2>运行数据</h2>",
            _table(pd.DataFrame({"what": [FIGURE_LABELS.get(k, k) for k in figures],
                                 "value": [int(v) if isinstance(v, (int, np.integer)) else v for v in figures.values()]}),
                   {"what": "项目", "value": "数量"}),
            "<h2>匹配概率分布</h2><p class='note'>每个候选记录对一个概率;阈值以上(蓝色)判为同一人,复核阈值以上列入 pairs.csv。"
            "纵轴为对数刻度。</p>",
            probability_histogram(facts.histogram, facts.threshold, facts.review_threshold)]
    model = facts.model
    if model is not None and hasattr(model, "coef_"):
        body += ["<h2>模型权重</h2><p class='note'>每一比对等级的权重(对数几率);正值支持同一人,负值反对。"
                 f"截距 {float(model.intercept_):+.2f}。</p>",
                 weight_chart(feature_labels(model), np.asarray(model.coef_, dtype=float))]
    falls = nearest_pairs(model, facts.nearest)
    if falls:
        body += [f"<h2>最接近阈值的 {len(falls)} 对记录:概率的由来</h2><p class='note'>从截距开始,逐项加上该记录对具备的比对等级的权重,"
                 "合计的对数几率即其概率。</p>", f"<div class='pairs'>{''.join(falls)}</div>"]
    streets = facts.streets
    body += ["<h2>各街道的重复组</h2>",
             _bars(streets["street"].tolist(), {"重复组": streets["clusters"].to_numpy(),
                                                "重复组中的记录": streets["records"].to_numpy()}, title="各街道的重复组")
             if len(streets) else "<p>没有重复组。</p>",
             _table(streets, {"street": "街道代码", "clusters": "重复组", "records": "重复组中的记录"})]
    if audit_summary is not None and len(audit_summary):
        rows = audit_summary[audit_summary["level"] == "street"]
        labels = (rows["unit_code"].astype(str) + " " + rows["unit_name"].astype(str)).str.strip().tolist()
        body += ["<h2>各街道清查问题</h2>",
                 _bars(labels, {AUDIT_COLUMNS[c]: rows[c].to_numpy() for c in AUDIT_COLUMNS}, title="各街道清查问题"),
                 _table(audit_summary.assign(unit_name=audit_summary["unit_name"].astype(str)),
                        {"unit_code": "街道代码", "unit_name": "街道名称", **AUDIT_COLUMNS})]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def write_report(folder: str | os.PathLike, result: Any, **options: Any) -> Path:
    """``folder/report.html`` (``render_report``'s page); returns its path."""
    path = Path(folder) / REPORT_NAME
    path.write_text(render_report(result, **options), encoding="utf-8")
    return path
