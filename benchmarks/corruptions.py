"""Name pools, ID/date kernels and the clerical errors of a WIS register, for the generator.

Everything here is either a vectorised kernel over whole columns (numpy arrays of shape
``(n,)``, ID numbers as ``uint8`` ASCII matrices of shape ``(n, 18)``) or a small
per-string edit applied in a Python loop to the corrupted minority of records only.
:func:`type_records` is the clerk: it turns clean per-record values into register cells.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np
import zhconv
from pypinyin import lazy_pinyin

# --- name pools ---------------------------------------------------------------------------
_SURNAME_TEXT = (
    "王7.1 李7.0 张6.6 刘5.4 陈4.6 杨3.1 黄2.6 赵2.3 吴2.1 周2.1 徐1.7 孙1.5 马1.5 朱1.4 胡1.3 "
    "郭1.2 何1.2 林1.1 高1.1 罗1.0 郑1.0 梁.9 谢.8 宋.8 唐.8 许.7 韩.7 邓.7 冯.7 曹.7 彭.6 曾.6 "
    "肖.6 田.5 董.5 潘.5 袁.5 蔡.5 蒋.5 余.5 于.5 杜.5 叶.5 程.5 魏.4 苏.4 吕.4 丁.4 任.4 卢.4 "
    "姚.4 沈.4 钟.4 姜.4 崔.3 谭.3 陆.3 范.3 汪.3 廖.3 石.3 金.3 韦.3 贾.3 夏.3 付.3 方.3 邹.2 "
    "熊.2 白.2 孟.2 秦.2 邱.2 侯.2 江.2 尹.2 薛.2 段.2 雷.2 龙.2 黎.2 史.2 陶.2 贺.2 毛.2 郝.2 "
    "顾.2 龚.2 邵.2 万.2 钱.2 戴.2 严.2 欧阳.05 司马.01 诸葛.01 上官.01 皇甫.01 慕容.01"
)
SURNAMES: np.ndarray = np.array([t[: len(t.rstrip("0123456789."))] for t in _SURNAME_TEXT.split()], dtype=object)
"""Surnames, shape (s,), in order of frequency."""
SURNAME_P: np.ndarray = np.array([float(t.lstrip("".join(SURNAMES[i]))) for i, t in enumerate(_SURNAME_TEXT.split())])
SURNAME_P = SURNAME_P / SURNAME_P.sum()

# (characters, weight for women born before 1990, weight for women born 1990 or later)
_FEMALE_TIERS = (
    ("芳静丽敏燕艳娟霞红玲萍英华", 12.0, 2.0),
    ("婷丹莉洁琳颖倩雪梅慧晶娜琴秀兰凤蓉", 5.0, 5.0),
    ("佳欣怡悦瑶雯婧妍薇璐琪晓", 1.5, 8.0),
    ("春月玉珍美云菲莹露蕾媛瑜璇嘉思雨涵萱紫梦诗雅琦宇欢瑞彤", 1.5, 3.0),
    ("青清晴彩芬霜凌琼翠娇媚妮姗婉姿娅姣嫣淑贞巧素园金银桂香莲荷菊霖筱淼馨蕊蓓茜茵灵奕", 0.6, 0.8),
)
FEMALE_CHARS: np.ndarray = np.array(list(dict.fromkeys("".join(t[0] for t in _FEMALE_TIERS))), dtype=object)
"""Female given-name characters, shape (c,)."""


def _era_weights(column: int) -> np.ndarray:
    weight = {}
    for chars, *w in _FEMALE_TIERS:
        for rank, ch in enumerate(chars):
            weight.setdefault(ch, w[column] / (1.0 + rank) ** 0.5)  # skewed inside a tier too
    p = np.array([weight[c] for c in FEMALE_CHARS])
    return p / p.sum()


FEMALE_P_OLD, FEMALE_P_YOUNG = _era_weights(0), _era_weights(1)
MALE_CHARS: np.ndarray = np.array(list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国东海文博亮志晨阳成"), dtype=object)
MINORITY_GIVEN = ("阿依古丽", "古丽娜尔", "热依拉", "帕提古丽", "努尔古丽", "迪丽娜尔", "米热古丽", "阿依努尔", "再努尔", "古丽巴哈尔")
MINORITY_FATHER = ("买买提", "艾力", "吐尔逊", "阿不都", "热合曼", "努尔", "依明", "卡德尔", "玉素甫", "阿布拉")

# 形近字: pairs clerks confuse when reading handwriting or picking from a shape-based IME.
_SHAPE_PAIRS = (
    "己已 已巳 王玉 未末 茉莱 婷亭 娟绢 琳淋 洁沽 燕雁 晴睛 情晴 清请 玲铃 玲伶 苓芩 芬纷 萍苹 菁箐 "
    "婧靖 媛嫒 娇骄 妍研 姗珊 姝妹 怡恰 霞暇 霞瑕 慧彗 惠蕙 娜哪 娜挪 雪雷 露路 梅海 晓哓 欣忻 颖颍 "
    "丹舟 凤风 秀季 季李 杨扬 刘浏 陈阵 赵越 吴昊 孙逊 徐涂 胡湖 何河 梁粱 郑邦 唐塘 于干 于千 程呈 "
    "袁哀 沈沉 卢庐 魏巍 余佘 杜社 夏复 汪注 田由 范苑 方万 姚桃 谭潭 金全 白自 崔催 毛手 秦泰 侯候 "
    "邵绍 龙尤 春舂 佳桂 薇微 瑶谣 琪棋 爱受 美姜 贺贸 蕾雷 园圆 婉腕 蓉容 倩债 莹萤 红虹 艳拖"
).split()
SHAPE_SIMILAR: dict[str, tuple[str, ...]] = {}
for _a, _b in _SHAPE_PAIRS:
    SHAPE_SIMILAR[_a] = SHAPE_SIMILAR.get(_a, ()) + (_b,)
    SHAPE_SIMILAR[_b] = SHAPE_SIMILAR.get(_b, ()) + (_a,)

# Characters an IME offers for a syllable: the targets of homophone typos.
_COMMON = (
    "丽莉俐利立力励黎梨静净敬境径竞婷亭庭廷停挺燕艳雁宴颜岩妍研严言延娟涓鹃隽捐绢倩茜芳方放仿坊霞夏"
    "侠峡玲铃零龄灵凌岭伶翎琳林临霖淋邻麟敏民珉闽颖影莹营英樱鹰盈萍平苹屏评梅美媚玫眉湄枚慧惠会汇辉"
    "晖卉蕙秀绣袖娜纳那琴勤芹秦晴情清青卿倾兰蓝岚澜凤风峰锋枫丰蓉荣容融溶佳家嘉加珈欣心新馨鑫辛昕怡"
    "宜仪移颐悦月越岳阅玥瑶遥摇姚谣雯文闻纹婧靖镜薇微威维惟伟韦琪其奇旗棋琦祺齐晓小筱孝肖春纯淳玉宇"
    "雨语羽予煜珍真贞臻甄云芸韵运允菲飞非妃霏露路鹭璐鹿蕾雷磊瑜愉渝榆余于俞璇旋玄萱宣轩思丝斯司诗施"
    "师涵含寒韩晗梦孟雅亚娅芽欢环瑞锐睿蕊彤同童桐华花化画红宏洪鸿虹洁杰结捷节丹单担英应迎赢"
)


@lru_cache(maxsize=1)
def homophones() -> dict[str, tuple[str, ...]]:
    """Character -> other characters with the same toneless pinyin (pypinyin's first reading)."""
    chars = sorted(set(_COMMON) | set(FEMALE_CHARS) | set(MALE_CHARS) | {c for s in SURNAMES for c in s})
    by_sound: dict[str, list[str]] = {}
    for ch in chars:
        by_sound.setdefault(lazy_pinyin(ch)[0], []).append(ch)
    return {c: tuple(o for o in group if o != c) for group in by_sound.values() for c in group if len(group) > 1}


# --- ID numbers (GB 11643) ------------------------------------------------------------------
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
_POW17 = 10 ** np.arange(16, -1, -1, dtype=np.int64)
_LEGACY_COLUMNS = np.r_[0:6, 8:17]
GARBAGE_IDS = ("0", "000000000000000000", "不详", "无", "111111111111111111", "待查", "/")
_FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS.tolist())) % 11]


def id_matrix(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """18-digit IDs as an ASCII ``uint8`` matrix of shape (n, 18) from region codes, birth days and sequences."""
    y, m, d = ymd(birth)
    digits = ((region * 10**11 + (y * 10000 + m * 100 + d) * 1000 + seq)[:, None] // _POW17) % 10
    mat = np.empty((len(region), 18), dtype=np.uint8)
    mat[:, :17] = (digits + 48).astype(np.uint8)
    mat[:, 17] = CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]
    return mat


def matrix_to_str(mat: np.ndarray) -> np.ndarray:
    """ASCII matrix of shape (n, w) -> object array of str, shape (n,)."""
    w = mat.shape[1]
    return np.ascontiguousarray(mat).view(f"S{w}").ravel().astype(f"U{w}").astype(object)


def ints_to_str(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative ints -> zero-padded decimal strings, object array of shape (n,)."""
    digits = (np.asarray(values, dtype=np.int64)[:, None] // 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)) % 10
    return matrix_to_str((digits + 48).astype(np.uint8))


def _wrong_digit(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Change one character of each row in ``rows`` in place (the check character too, sometimes)."""
    pos = rng.integers(0, 18, len(rows))
    bump = rng.integers(1, 10, len(rows)).astype(np.uint8)
    old = mat[rows, pos]
    mat[rows, pos] = np.where(old == 88, 48 + bump % 10, 48 + (np.minimum(old, 57) - 48 + bump) % 10)


def _swap_adjacent(mat: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Swap two adjacent, differing digits (among the first 17) of each row in place."""
    pos = rng.integers(0, 16, len(rows))
    pos = np.where(mat[rows, pos] == mat[rows, pos + 1], (pos + 3) % 16, pos)
    left, right = mat[rows, pos].copy(), mat[rows, pos + 1].copy()
    mat[rows, pos], mat[rows, pos + 1] = right, left


# --- dates ----------------------------------------------------------------------------------
DATE_FORMATS = ("{y:04d}-{m:02d}-{d:02d}", "{y:04d}{m:02d}{d:02d}", "{y}/{m}/{d}", "{y:04d}.{m:02d}.{d:02d}", "{y}年{m}月{d}日")
"""Date formats found in registers: ISO, compact, slashes, dots, Chinese."""


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days since 1970-01-01, shape (n,) -> year, month, day arrays of shape (n,)."""
    dt = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = dt.astype("datetime64[M]")
    return (dt.astype("datetime64[Y]").astype(np.int64) + 1970, month.astype(np.int64) % 12 + 1,
            (dt - month.astype("datetime64[D]")).astype(np.int64) + 1)


def days_from_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Year, month, day arrays -> days since 1970-01-01 (day must be valid for the month)."""
    months = (np.asarray(y, dtype=np.int64) - 1970) * 12 + np.asarray(m, dtype=np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d) - 1


def format_dates(days: np.ndarray, fmt: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Days (n,), format index into DATE_FORMATS (n,), blank mask (n,) -> object array of str (n,)."""
    out = np.full(len(days), "", dtype=object)
    keep = ~blank
    uniq, inv = np.unique(days[keep] * 8 + fmt[keep], return_inverse=True)
    day, f = np.divmod(uniq, 8)
    y, m, d = ymd(day)
    text = [DATE_FORMATS[k].format(y=a, m=b, d=c) for a, b, c, k in zip(y.tolist(), m.tolist(), d.tolist(), f.tolist())]
    out[keep] = np.array(text + [""], dtype=object)[:-1][inv]
    return out


# --- phones and addresses -------------------------------------------------------------------
_MOBILE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
                             158, 159, 166, 176, 177, 178, 180, 181, 182, 183, 186, 187, 188, 189, 191, 198, 199])


def random_mobiles(rng: np.random.Generator, k: int) -> np.ndarray:
    """k random 11-digit mobile numbers, object array of shape (k,)."""
    return ints_to_str(rng.choice(_MOBILE_PREFIXES, k) * 10**8 + rng.integers(0, 10**8, k), 11)


ADDRESS_PARTS = ("prov", "city", "county", "street", "roadnum", "estate", "detail_a", "detail_b")
_ADDRESS_VARIANTS = (("prov", "city", "county", "street", "roadnum", "detail_a"),
                     ("city", "county", "roadnum", "detail_a"),
                     ("county", "street", "estate", "detail_b"),
                     ("estate", "detail_a"),
                     ("prov", "city", "county", "street", "estate"))
ADDRESS_VARIANT_P = np.array([0.45, 0.22, 0.15, 0.12, 0.06])
NAMED_VARIANTS = np.array([v for v, names in enumerate(_ADDRESS_VARIANTS) if "county" in names])
"""Variants that name the county: the full form a department writes in a place field it always records."""
_NAMED_P = ADDRESS_VARIANT_P[NAMED_VARIANTS] / ADDRESS_VARIANT_P[NAMED_VARIANTS].sum()
_REWORDS = (("幢", "栋"), ("单元", "-"), ("号", "#"), ("室", ""), ("街道", ""), ("浙江省", ""), ("号", "号院"))


def compose_addresses(parts: dict[str, np.ndarray], variant: np.ndarray) -> np.ndarray:
    """Address parts (each (n,) object) and a variant index (n,) -> address strings, shape (n,)."""
    out = np.empty(len(variant), dtype=object)
    for v, names in enumerate(_ADDRESS_VARIANTS):
        rows = np.flatnonzero(variant == v)
        text = parts[names[0]][rows]
        for name in names[1:]:
            text = text + parts[name][rows]
        out[rows] = text
    return out


# --- the clerk ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ErrorRates:
    """Per-record probability of each clerical error (name errors are independent, ID/date ones exclusive)."""

    name_homophone: float = 0.01
    name_shape: float = 0.005
    name_traditional: float = 0.004
    name_drop_add: float = 0.003
    name_space: float = 0.01
    name_dot_variant: float = 0.2  # of minority names only
    id_blank: float = 0.02
    id_garbage: float = 0.005
    id_legacy15: float = 0.015  # applied to women born in the 1900s only
    id_wrong_digit: float = 0.006
    id_swap: float = 0.004
    id_fullwidth: float = 0.004
    id_lower_x: float = 0.25  # of IDs ending in X
    birth_blank: float = 0.08
    birth_day_month_swap: float = 0.004  # where the day is 12 or less
    birth_off_by_one: float = 0.004
    phone_blank: float = 0.08
    phone_changed: float = 0.03
    address_blank: float = 0.03
    address_reword: float = 0.05
    spouse_blank: float = 0.05
    spouse_name_typo: float = 0.01
    spouse_id_typo: float = 0.01
    hukou_code_blank: float = 0.06
    hukou_code_county_only: float = 0.03
    residence_code_blank: float = 0.04
    residence_since_blank: float = 0.15
    marriage_date_blank: float = 0.1
    marital_generic: float = 0.12  # 初婚/再婚 typed as 已婚
    marital_stale: float = 0.01  # married woman still 未婚 on this record
    work_unit_blank: float = 0.25
    hard: float = 0.0  # forced name typo + wrong ID digit + no birth date


ORIGINAL = ErrorRates()
"""The first record of a woman, entered by the unit that holds her."""
DUPLICATE = replace(
    ORIGINAL, name_homophone=0.08, name_shape=0.04, name_traditional=0.03, name_drop_add=0.02, name_space=0.03,
    id_blank=0.06, id_garbage=0.015, id_legacy15=0.05, id_wrong_digit=0.04, id_swap=0.025, id_fullwidth=0.02,
    birth_blank=0.15, birth_day_month_swap=0.02, birth_off_by_one=0.02, phone_blank=0.18, phone_changed=0.15,
    address_blank=0.06, address_reword=0.2, spouse_blank=0.12, spouse_name_typo=0.03, spouse_id_typo=0.03,
    residence_since_blank=0.2, marital_stale=0.04, hard=0.02)
"""A further record of the same woman, typed independently by another unit."""


def _rates(profiles: Sequence[ErrorRates], profile: np.ndarray) -> dict[str, np.ndarray]:
    table = {f.name: np.array([getattr(p, f.name) for p in profiles]) for f in fields(ErrorRates)}
    return {k: v[profile] for k, v in table.items()}


def _exclusive(rng: np.random.Generator, *rates: np.ndarray) -> np.ndarray:
    """One event per row: index of the rate that fired, or len(rates) for none. Shape (n,)."""
    return (rng.random(len(rates[0]))[:, None] >= np.cumsum(np.stack(rates, axis=1), axis=1)).sum(axis=1)


def _edit_char(name: str, start: int, table: dict[str, tuple[str, ...]], r: random.Random) -> str:
    pos = [i for i in range(start, len(name)) if name[i] in table]
    if not pos:
        return name
    i = r.choice(pos)
    return name[:i] + r.choice(table[name[i]]) + name[i + 1:]


def _drop_or_add(name: str, start: int, r: random.Random) -> str:
    given = name[start:]
    if len(given) >= 2 and r.random() < 0.6:
        i = r.randrange(len(given))
        return name[:start] + given[:i] + given[i + 1:]
    ch = given[-1:] if r.random() < 0.4 else r.choice(FEMALE_CHARS)
    i = r.randrange(len(given) + 1)
    return name[:start] + given[:i] + ch + given[i:]


def _stray_space(name: str, start: int, r: random.Random) -> str:
    sp, k = (" " if r.random() < 0.8 else "\u3000"), r.random()
    if k < 0.55 and 0 < start < len(name):
        return name[:start] + sp + name[start:]
    if k < 0.8:
        return name + sp
    if k < 0.9:
        return sp + name
    i = r.randrange(1, max(2, len(name)))
    return name[:i] + sp + name[i:]


def type_names(names: np.ndarray, start: np.ndarray, minority: np.ndarray, rate: dict[str, np.ndarray],
               rng: np.random.Generator, *, spouse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Names (n,) with given-name offsets (n,) -> (names as typed (n,), mask (n,) of forced hard records)."""
    out, n = names.copy(), len(names)
    r = random.Random(int(rng.integers(2**62)))
    hard = rng.random(n) < rate["hard"] if not spouse else np.zeros(n, bool)
    homo = rng.random(n) < (rate["spouse_name_typo"] * 0.6 if spouse else rate["name_homophone"])
    shape = rng.random(n) < (rate["spouse_name_typo"] * 0.4 if spouse else rate["name_shape"])
    hard_homo = rng.random(n) < 0.6
    homo, shape = (homo | (hard & hard_homo)) & ~minority, (shape | (hard & ~hard_homo)) & ~minority
    hp, sh = homophones(), SHAPE_SIMILAR
    for i in np.flatnonzero(homo).tolist():
        out[i] = _edit_char(out[i], int(start[i]), hp, r)
    for i in np.flatnonzero(shape).tolist():  # the surname is misread a third of the time
        out[i] = _edit_char(out[i], 0 if r.random() < 0.33 else int(start[i]), sh, r)
    if spouse:
        return out, hard
    for i in np.flatnonzero((rng.random(n) < rate["name_drop_add"]) & ~minority).tolist():
        out[i] = _drop_or_add(out[i], int(start[i]), r)
    for i in np.flatnonzero(rng.random(n) < rate["name_traditional"]).tolist():
        out[i] = zhconv.convert(out[i], "zh-hant")
    for i in np.flatnonzero(minority & (rng.random(n) < rate["name_dot_variant"])).tolist():
        out[i] = out[i].replace("·", r.choice(("•", ".", "．", "", "・", " ")))
    for i in np.flatnonzero(rng.random(n) < rate["name_space"]).tolist():
        out[i] = _stray_space(out[i], int(start[i]), r)
    return out, hard


def type_ids(mat: np.ndarray, born_1900s: np.ndarray, rate: dict[str, np.ndarray], rng: np.random.Generator,
             *, hard: np.ndarray | None = None, scale: float = 1.0) -> np.ndarray:
    """Clean IDs as an ASCII matrix (n, 18) -> ID cells as typed, object array (n,)."""
    n = len(mat)
    kinds = ("id_blank", "id_garbage", "id_legacy15", "id_wrong_digit", "id_swap", "id_fullwidth")
    event = _exclusive(rng, *(scale * rate[k] for k in kinds))
    if hard is not None:
        event = np.where(hard, 3, event)
    mat = mat.copy()
    _wrong_digit(mat, np.flatnonzero(event == 3), rng)
    _swap_adjacent(mat, np.flatnonzero(event == 4), rng)
    lower = (mat[:, 17] == 88) & (rng.random(n) < rate["id_lower_x"])
    mat[lower, 17] = ord("x")
    out = matrix_to_str(mat)
    legacy = np.flatnonzero((event == 2) & born_1900s)
    out[legacy] = matrix_to_str(mat[legacy][:, _LEGACY_COLUMNS])
    out[event == 0] = ""
    garbage = np.flatnonzero(event == 1)
    out[garbage] = np.array(GARBAGE_IDS, dtype=object)[rng.integers(0, len(GARBAGE_IDS), len(garbage))]
    for i in np.flatnonzero(event == 5).tolist():
        out[i] = out[i].translate(_FULLWIDTH)
    return out


def type_dates(days: np.ndarray, present: np.ndarray, rate: dict[str, np.ndarray], rng: np.random.Generator,
               fmt: np.ndarray, *, hard: np.ndarray | None = None) -> np.ndarray:
    """Birth days (n,) -> birth-date cells with blanks, day/month swaps and off-by-one days, object (n,)."""
    event = _exclusive(rng, rate["birth_blank"], rate["birth_day_month_swap"], rate["birth_off_by_one"])
    if hard is not None:
        event = np.where(hard, 0, event)
    y, m, d = ymd(days)
    swap = (event == 1) & (d <= 12) & (d != m)
    days = np.where(swap, days_from_ymd(y, np.where(swap, d, m), np.where(swap, m, d)), days)
    days = days + np.where(event == 2, rng.choice([-1, 1], len(days)), 0)
    return format_dates(days, fmt, (event == 0) | ~present)


def reword_addresses(text: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Apply a clerk's rewording (栋 for 幢, # for 号, dropped 室 …) to a share ``rate`` (n,) of addresses."""
    out = text.copy()
    r = random.Random(int(rng.integers(2**62)))
    for i in np.flatnonzero(rng.random(len(text)) < rate).tolist():
        for old, new in r.sample(_REWORDS, 2):
            out[i] = out[i].replace(old, new, 1)
    return out


def type_records(clean: dict[str, np.ndarray], profile: np.ndarray, profiles: Sequence[ErrorRates],
                 rng: np.random.Generator, date_fmt: np.ndarray,
                 recorded: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Type each record as a clerk would.

    clean: per-record true values, each of shape (n,) (``id_mat``, ``spouse_mat``: (n, 18) uint8), as built by
    the generator; profile: (n,) index into ``profiles``; date_fmt: (n,) index into DATE_FORMATS.
    recorded: optional {'hukou' | 'residence': bool (n,)}, the rows whose place on that side the department
    always records: that address is never blanked and is written in a form that names the county
    (:data:`NAMED_VARIANTS`); rewording still applies.  Without it the random draws are those of a register.
    Returns register cells (object arrays of str, shape (n,)) keyed by English column name.
    """
    n = len(profile)
    rate = _rates(profiles, profile)
    name, hard = type_names(clean["name"], clean["given_start"], clean["minority"], rate, rng)
    out = {"name": name, "id_number": type_ids(clean["id_mat"], clean["born_1900s"], rate, rng, hard=hard)}
    out["birth_date"] = type_dates(clean["birth"], np.ones(n, bool), rate, rng, date_fmt, hard=hard)
    married = clean["married"]
    stale = married & (rng.random(n) < rate["marital_stale"])
    generic = np.isin(clean["marital"], ["初婚", "再婚"]) & (rng.random(n) < rate["marital_generic"])
    out["marital_status"] = np.where(stale, "未婚", np.where(generic, "已婚", clean["marital"])).astype(object)
    out["marriage_date"] = format_dates(clean["marriage"], date_fmt,
                                        ~married | stale | (rng.random(n) < rate["marriage_date_blank"]))
    spouse = clean["has_spouse"] & ~stale & (rng.random(n) >= rate["spouse_blank"])
    spouse_name, _ = type_names(clean["spouse_name"], clean["spouse_start"], np.zeros(n, bool), rate, rng, spouse=True)
    spouse_id = type_ids(clean["spouse_mat"], clean["spouse_1900s"], rate, rng, scale=0.5)
    typo = np.flatnonzero(rng.random(n) < rate["spouse_id_typo"])
    spouse_id[typo] = type_ids(clean["spouse_mat"][typo], clean["spouse_1900s"][typo],
                               {**{k: v[typo] for k, v in rate.items()}, "id_wrong_digit": np.full(len(typo), 0.6),
                                "id_swap": np.full(len(typo), 0.2), "id_legacy15": np.full(len(typo), 0.2)}, rng)
    out["spouse_name"] = np.where(spouse, spouse_name, "").astype(object)
    out["spouse_id_number"] = np.where(spouse & (rng.random(n) >= 0.05), spouse_id, "").astype(object)
    hukou = clean["hukou_code"].copy()
    county_only = (rng.random(n) < rate["hukou_code_county_only"]) & (clean["hukou_level"] == 9)
    hukou[county_only] = clean["hukou_county"][county_only]
    hukou[rng.random(n) < rate["hukou_code_blank"]] = ""
    out["hukou_code"] = hukou
    residence = clean["residence_code"].copy()
    residence[rng.random(n) < rate["residence_code_blank"]] = ""
    out["residence_code"] = residence
    out["residence_since"] = format_dates(clean["since"], date_fmt, rng.random(n) < rate["residence_since_blank"])
    for side in ("hukou", "residence"):
        parts = {k: clean[f"{side}_addr_{k}"] for k in ADDRESS_PARTS}
        variant = rng.choice(len(ADDRESS_VARIANT_P), n, p=ADDRESS_VARIANT_P)
        always = (recorded or {}).get(side)
        if always is not None:  # extra draws only here: a register's cells stay as they were
            unnamed = always & ~np.isin(variant, NAMED_VARIANTS)
            variant = np.where(unnamed, rng.choice(NAMED_VARIANTS, n, p=_NAMED_P), variant)
        text = compose_addresses(parts, variant)
        text = reword_addresses(text, rate["address_reword"], rng)
        blank = rng.random(n) < rate["address_blank"]
        text[blank if always is None else blank & ~always] = ""
        out[f"{side}_address"] = text
    phone = clean["phone"].copy()
    changed = np.flatnonzero((rng.random(n) < rate["phone_changed"]) & (phone != ""))
    phone[changed] = random_mobiles(rng, len(changed))
    phone[rng.random(n) < rate["phone_blank"]] = ""
    out["phone"] = phone
    out["work_unit"] = np.where(rng.random(n) < rate["work_unit_blank"], "", clean["work_unit"]).astype(object)
    return out
