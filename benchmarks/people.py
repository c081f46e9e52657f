"""The city and its women: GB/T 2260 geography, units, and people drawn in bulk with numpy.

A person table is a ``dict[str, np.ndarray]`` of columns of shape (P,) (see :func:`draw_people`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import stdnum

from benchmarks.corruptions import MINORITY_FATHER, MINORITY_GIVEN, SURNAME_P, SURNAMES, ints_to_str, random_mobiles, ymd
from benchmarks.name_pools import draw_given

_NEIGHBOURS = {"330106": ("330102", "330105", "330108", "330110")}
_STREETS = ("北山 西溪 翠苑 古荡 文新 蒋村 灵隐 留下 转塘 三墩 湖滨 清波 小营 望江 紫阳 南星 闸弄口 采荷 凯旋 彭埠 "
            "四季青 笕桥 米市巷 湖墅 小河 和睦 大关 拱宸桥 祥符 康桥 半山 长河 西兴 浦沿 五常 仓前 闲林 良渚 东新 "
            "石桥 上塘 朝晖 潮鸣 长庆 天水 武林 文晖 九堡 丁兰 白杨 下沙 新塘 北干 城厢 宁围 瓜沥 临平 星桥 乔司 "
            "崇贤 塘栖 径山 瓶窑 中泰 仁和 东湖 南苑 运河 勾庄 双浦").split()
_COMMUNITY_A, _COMMUNITY_B = "文星求嘉金枫益竞耀莲府翠天东西南北新和花桂紫青兴华春秋桃李松竹明安康宁德丰", "华苑新园景湖山庭河溪桥塘港坊里湾城光晨锦"
_ROADS = ("文三路 文二路 教工路 学院路 天目山路 古墩路 莫干山路 保俶路 曙光路 西溪路 余杭塘路 紫金港路 丰潭路 求是路 "
          "黄姑山路 杭大路 延安路 庆春路 凤起路 解放路 中山路 建国路 环城西路 体育场路 湖墅南路 丽水路 上塘路 石祥路 "
          "江南大道 滨盛路 江陵路 闻涛路 文一西路 五常大道 良睦路 留和路 转塘路 之江路 虎跑路 南山路 灵溪路 申花路 "
          "登云路 大关路 秋涛路 艮山西路 机场路 德胜路 东新路 古翠路 华星路 万塘路 益乐路 竞舟路 府苑路").split()
_ESTATES = ("小区", "花园", "苑", "新村", "公寓", "家园")
_TOWNS = np.array("城关镇 新华镇 永安镇 太平镇 长寿镇 清溪镇 龙泉镇 白沙镇 石门镇 新桥镇 马鞍镇 金山镇 青山乡 河口镇 "
                  "高桥镇 双河镇 东风镇 红星乡 大同镇 三合镇".split(), dtype=object)
_VILLAGES = np.array([s + "村" for s in "张家 李家 王庄 陈湾 刘营 杨柳 黄泥 赵庄 周家 吴店 桥头 河西 山前 下坝 新屋 枫树 竹园".split()], dtype=object)
_WORK_A = np.array("华星 恒生 新华 阳光 东方 海康 天目 西溪 金马 永盛 万达 银泰 联华 世纪 绿城 宏达 中天 和平 春晖".split(), dtype=object)
_WORK_B = np.array("科技有限公司 贸易有限公司 服装厂 超市 小学 中学 人民医院 社区卫生服务中心 餐饮店 物业管理有限公司 "
                   "电子有限公司 酒店 幼儿园 商贸城 纺织厂 建设集团".split(), dtype=object)
_WORK_SPECIAL = np.array("个体 务农 无业 自由职业 待业 家务 务工".split(), dtype=object)
_ETHNIC = np.array(["汉族", "畲族", "回族", "满族", "土家族", "苗族", "壮族", "蒙古族"], dtype=object)
_ETHNIC_P = np.array([0.97, 0.006, 0.006, 0.004, 0.005, 0.004, 0.003, 0.002])
_MIGRANT_PROVINCES = ("34", "36", "41", "42", "43", "45", "50", "51", "52", "53")
_NUM = np.array([str(i) for i in range(2000)], dtype=object)
_SURNAME_LEN = np.array([len(s) for s in SURNAMES])


def to_day(date: str) -> int:
    """'YYYY-MM-DD' -> days since 1970-01-01."""
    return int(np.datetime64(date, "D").astype(np.int64))


def six_months_before(day: int) -> int:
    """The same day of the month six calendar months earlier (clipped to the month's end)."""
    y, m, d = (int(v[0]) for v in ymd(np.array([day])))
    months = (y - 1970) * 12 + m - 1 - 6
    first = int(np.datetime64(months, "M").astype("datetime64[D]").astype(np.int64))
    return min(first + d - 1, int(np.datetime64(months + 1, "M").astype("datetime64[D]").astype(np.int64)) - 1)


def age_years(birth: np.ndarray, day: int) -> np.ndarray:
    """Age in completed years at ``day`` for birth days of shape (n,)."""
    by, bm, bd = ymd(birth)
    y, m, d = (int(v[0]) for v in ymd(np.array([day])))
    return y - by - ((bm > m) | ((bm == m) & (bd > d)))


@lru_cache(maxsize=1)
def region_names() -> dict[str, tuple[str, bool]]:
    """GB/T 2260 code -> (current name, still in use), from python-stdnum's ``cn/loc.dat``."""
    table, province = {}, ""
    for line in (Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text(encoding="utf-8").splitlines():
        m = re.match(r'^(\s*)(\d+)\s+(?:province|county)="([^"]*)"', line)
        if not m:
            continue
        if not m.group(1):
            province = m.group(2)
            continue
        last = m.group(3).split(",")[-1]
        years = re.match(r"\[(\d*)-(\d*)\](.*)", last)
        table[province + m.group(2)] = (years.group(3), years.group(2) == "") if years else (last, True)
    return table


def place_names(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """6-digit codes (n,) int -> province, city ('' for municipalities) and county names, object arrays (n,)."""
    names = region_names()
    uniq, inv = np.unique(codes, return_inverse=True)
    out = []
    for code in (str(c) for c in uniq.tolist()):
        city = names.get(code[:4] + "00", ("", True))[0]
        city = "" if code[:4] + "00" == code[:2] + "0000" or "直辖" in city or city in ("市辖区", "县") else city
        out.append((names[code[:2] + "0000"][0], city, names[code][0]))
    table = np.array(out, dtype=object).reshape(-1, 3)
    return table[inv, 0], table[inv, 1], table[inv, 2]


@dataclass(frozen=True)
class Geography:
    """The district, its neighbours and their units; arrays of shape (u,) are indexed by unit."""

    districts: tuple[str, ...]  # own district first
    code: np.ndarray  # unit code: 9-digit street or 12-digit community
    name: np.ndarray
    district_idx: np.ndarray
    street: np.ndarray  # unit index of the street (itself for a street)
    is_street: np.ndarray
    road: np.ndarray
    estate: np.ndarray
    date_format: np.ndarray  # the unit's habitual date format
    numeric_sex: np.ndarray  # the unit types sex as 1/2
    streets: np.ndarray  # street units grouped by district, with offsets below
    street_start: np.ndarray
    street_count: np.ndarray
    comms: np.ndarray  # community units grouped by street, offsets indexed by unit
    comm_start: np.ndarray
    comm_count: np.ndarray
    county_parts: tuple[np.ndarray, np.ndarray, np.ndarray]  # (D,) province, city, county names of the districts
    counties: dict[str, np.ndarray]  # pools of birth/hukou counties: 'city', 'province', 'china' (+ 'china_p')
    area_code: str

    def random_street(self, rng: np.random.Generator, district: np.ndarray) -> np.ndarray:
        """A uniformly drawn street unit of each district index in ``district`` (n,)."""
        offset = (rng.random(len(district)) * self.street_count[district]).astype(np.int64)
        return self.streets[self.street_start[district] + offset]

    def random_community(self, rng: np.random.Generator, street: np.ndarray) -> np.ndarray:
        """A uniformly drawn community unit of each street unit in ``street`` (n,)."""
        return self.comms[self.comm_start[street] + (rng.random(len(street)) * self.comm_count[street]).astype(np.int64)]

    def random_unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.integers(0, len(self.code), n)


@lru_cache(maxsize=8)
def geography(district: str) -> Geography:
    """Units of ``district`` (8 streets) and its neighbours (5-8 streets), 3-6 communities per street."""
    names = region_names()
    if district not in names or district.endswith("00"):
        raise ValueError(f"{district!r} is not a county-level GB/T 2260 code")
    current = np.array(sorted(int(c) for c, (nm, ok) in names.items()
                              if ok and not c.endswith("00") and c < "710000" and "市辖区" not in nm))
    here = int(district)
    same_city, same_province = (current[(current // k == here // k) & (current != here)] for k in (100, 10000))
    near = [c for c in same_city[np.argsort(np.abs(same_city - here), kind="stable")][:4]]
    by_distance = same_province[np.argsort(np.abs(same_province - here), kind="stable")]
    near += [c for c in by_distance if c not in near][:max(0, 3 - len(near))]
    near = tuple(str(c) for c in near)
    districts = (district,) + _NEIGHBOURS.get(district, near)
    rng = np.random.default_rng(int(district))
    stems = rng.permutation(np.array(_STREETS, dtype=object))
    pool = rng.permutation(np.array([a + b for a in _COMMUNITY_A for b in _COMMUNITY_B], dtype=object))
    rows, k, c = [], 0, 0
    for d, code in enumerate(districts):
        for s in range(1, (8 if d == 0 else int(rng.integers(5, 9))) + 1):
            street_code, street_name, street_row = f"{code}{s:03d}", stems[k % len(stems)] + "街道", len(rows)
            k += 1
            rows.append((street_code, street_name, d, street_row, True, "", ""))
            for j in range(1, int(rng.integers(3, 7)) + 1):
                stem, c = pool[c % len(pool)], c + 1
                estate = stem + _ESTATES[int(rng.integers(len(_ESTATES)))]
                rows.append((f"{street_code}{j:03d}", f"{street_name}{stem}社区", d, street_row, False,
                             _ROADS[int(rng.integers(len(_ROADS)))], estate))
    code, name, d_idx, street, is_street, road, estate = (np.array(col, dtype=object) for col in zip(*rows))
    d_idx, street, is_street = d_idx.astype(np.int64), street.astype(np.int64), is_street.astype(bool)
    comm_rows = np.flatnonzero(~is_street)
    first_comm = comm_rows[np.searchsorted(street[comm_rows], street)]
    road, estate = np.where(is_street, road[first_comm], road), np.where(is_street, estate[first_comm], estate)
    streets = np.flatnonzero(is_street)
    s_count = np.bincount(d_idx[streets], minlength=len(districts))
    c_count = np.bincount(street[comm_rows], minlength=len(code))
    codes_here = np.array([int(x) for x in districts])
    pools = {"city": current[current // 100 == here // 100], "province": current[current // 10000 == here // 10000]}
    pools = {k: v[~np.isin(v, codes_here)] for k, v in pools.items()}
    china = current[~np.isin(current, codes_here)]
    weight = np.where(np.isin(china // 10000, [int(p) for p in _MIGRANT_PROVINCES]), 4.0, 1.0)
    pools.update(china=china, china_p=weight / weight.sum())
    return Geography(districts, code, name, d_idx, street, is_street, road, estate,
                     rng.choice(5, len(code), p=[0.5, 0.2, 0.12, 0.06, 0.12]), rng.random(len(code)) < 0.15,
                     streets, np.cumsum(s_count) - s_count, s_count, comm_rows, np.cumsum(c_count) - c_count, c_count,
                     place_names(codes_here), pools, "0571-" if district.startswith("3301") else "")


def _draw_counties(rng: np.random.Generator, geo: Geography, n: int, p_city: float, p_province: float) -> np.ndarray:
    """Birth or hukou county codes (n,) int: of the city, of the province, or from all over China."""
    pools, u = geo.counties, rng.random(n)
    city = pools["city"] if len(pools["city"]) else pools["province"]
    china = rng.choice(pools["china"], n, p=pools["china_p"])
    province = rng.choice(pools["province"], n)
    return np.where(u < p_city, rng.choice(city, n), np.where(u < p_city + p_province, province, china))


def _local_parts(rng: np.random.Generator, geo: Geography, unit: np.ndarray) -> dict[str, np.ndarray]:
    """Address parts (n,) of a flat in unit ``unit`` (a community, or a random community of a street)."""
    street = geo.street[unit]
    comm = np.where(geo.is_street[unit], geo.random_community(rng, street), unit)
    d, k = geo.district_idx[street], len(unit)
    b, u = rng.integers(1, 31, k), rng.integers(1, 7, k)
    room = rng.integers(1, 19, k) * 100 + rng.integers(1, 5, k)
    prov, city, county = (part[d] for part in geo.county_parts)
    flat = (b * 10 + u) * 2000 + room  # text built once per distinct flat, road number
    return {"prov": prov, "city": city, "county": county, "street": geo.name[street],
            "roadnum": _per_distinct(comm * 400 + rng.integers(1, 400, k), lambda c: geo.road[c // 400] + _NUM[c % 400] + "号"),
            "estate": geo.estate[comm],
            "detail_a": _per_distinct(flat, lambda f: _NUM[f // 20000] + "幢" + _NUM[f // 2000 % 10] + "单元" + _NUM[f % 2000] + "室"),
            "detail_b": _per_distinct(flat, lambda f: _NUM[f // 20000] + "-" + _NUM[f // 2000 % 10] + "-" + _NUM[f % 2000])}


def _per_distinct(codes: np.ndarray, text) -> np.ndarray:
    """text(distinct codes) gathered back to ``codes`` (n,): string work once per distinct value."""
    uniq, inv = np.unique(codes, return_inverse=True)
    return text(uniq)[inv.reshape(-1)]


def _rural_parts(rng: np.random.Generator, county: np.ndarray) -> dict[str, np.ndarray]:
    """Address parts (n,) of a village house in the given county codes (n,)."""
    k = len(county)
    prov, city, name = place_names(county)
    village = _VILLAGES[rng.integers(0, len(_VILLAGES), k)]
    detail = _NUM[rng.integers(1, 13, k)] + "组" + _NUM[rng.integers(1, 99, k)] + "号"
    return {"prov": prov, "city": city, "county": name, "street": _TOWNS[rng.integers(0, len(_TOWNS), k)],
            "roadnum": village, "estate": village, "detail_a": detail, "detail_b": detail}


def draw_people(rng: np.random.Generator, n: int, geo: Geography, as_of_day: int, *, home: str = "city",
                ages: tuple[float, float] = (15.0, 50.0), outside: float = 0.012) -> dict[str, np.ndarray]:
    """n women (arrays of shape (n,)) living or registered in the city.

    home: 'city' (residence in the district 65%, else a neighbour), 'district' (living or registered in the
    district), 'away' (neither living nor registered in the district). ``outside``: share aged 13-15 or 50-53.
    """
    age = rng.uniform(ages[0], ages[1], n)
    odd = np.flatnonzero(rng.random(n) < outside)
    age[odd] = np.where(rng.random(len(odd)) < 0.3, rng.uniform(13.0, 15.0, len(odd)), rng.uniform(50.0, 53.0, len(odd)))
    birth = as_of_day - (age * 365.2425).astype(np.int64)
    sidx = rng.choice(len(SURNAMES), n, p=SURNAME_P)
    p = {"surname": SURNAMES[sidx], "given": draw_given(rng, birth, female=True),
         "given_start": _SURNAME_LEN[sidx],
         "minority": rng.random(n) < 0.003, "ethnicity": _ETHNIC[rng.choice(len(_ETHNIC), n, p=_ETHNIC_P)],
         "sex": np.full(n, "女", dtype=object), "birth": birth, "seq": rng.integers(0, 500, n) * 2,
         "lookalike_of": np.full(n, -1, dtype=np.int64), "lookalike_kind": np.full(n, -1, dtype=np.int64)}
    m = np.flatnonzero(p["minority"])
    p["given"][m] = (np.array(MINORITY_GIVEN, dtype=object)[rng.integers(0, len(MINORITY_GIVEN), len(m))] + "·"
                     + np.array(MINORITY_FATHER, dtype=object)[rng.integers(0, len(MINORITY_FATHER), len(m))])
    p["surname"][m], p["given_start"][m], p["ethnicity"][m] = "", 0, "维吾尔族"
    n_d = len(geo.districts)
    share_here = {"city": 0.65, "district": 0.8, "away": 0.0}[home]
    res_d = np.where(rng.random(n) < share_here, 0, rng.integers(1, n_d, n))
    res_street = geo.random_street(rng, res_d)
    p["res_u"] = np.where(rng.random(n) < 0.8, geo.random_community(rng, res_street), res_street)
    p["residence_code"] = geo.code[p["res_u"]]
    kind = rng.choice(3, n, p=[0.35, 0.25, 0.40])  # hukou in her street / another street of the city / elsewhere
    hk_d = np.where(rng.random(n) < 0.5, 0, rng.integers(1, n_d, n)) if home != "away" else rng.integers(1, n_d, n)
    if home == "district":
        kind, hk_d = np.where(res_d != 0, 1, kind), np.where(res_d != 0, 0, hk_d)
    hk_street = np.where(kind == 0, res_street, geo.random_street(rng, hk_d))
    p["hk_u"], p["hk_kind"] = np.where(kind == 2, -1, hk_street), kind
    district_int = np.array([int(c) for c in geo.districts])
    county = np.where(kind == 2, _draw_counties(rng, geo, n, 0.1, 0.35), district_int[geo.district_idx[hk_street]])
    p["hukou_county"], p["hukou_level"] = ints_to_str(county, 6), np.where(kind == 2, 6, 9)
    p["hukou_code"] = np.where(kind == 2, p["hukou_county"], geo.code[hk_street]).astype(object)
    born_there = rng.random(n) < np.where(kind == 2, 0.8, 0.65)
    p["region"] = np.where(born_there, county, _draw_counties(rng, geo, n, 0.3, 0.4))
    _derive(rng, p, geo, as_of_day)
    return p


def _derive(rng: np.random.Generator, p: dict[str, np.ndarray], geo: Geography, as_of_day: int) -> None:
    """Add the fields that follow from name, birth and places: marriage, spouse, residence date, addresses…"""
    n, birth, kind = len(p["birth"]), p["birth"], p["hk_kind"]
    p["name"] = p["surname"] + p["given"]
    age = (as_of_day - birth) / 365.2425
    ever = rng.random(n) < np.clip((age - 20.0) / 9.0, 0.0, 0.93) + 0.01 * (age >= 18)
    statuses = np.array(["初婚", "再婚", "离婚", "丧偶", "复婚"], dtype=object)
    status = statuses[rng.choice(5, n, p=[0.86, 0.06, 0.05, 0.01, 0.02])]
    p["married"], p["marital"] = ever, np.where(ever, status, "未婚").astype(object)
    m_age = 20.0 + rng.gamma(2.0, 2.2, n)
    m_age = np.where(m_age > age, rng.uniform(20.0, np.maximum(age, 20.01)), m_age)
    m_age = np.where(rng.random(n) < 0.01, rng.uniform(18.0, 20.0, n), m_age)  # a few before the legal age
    p["marriage"] = np.minimum(birth + (m_age * 365.2425).astype(np.int64), as_of_day - 1)
    p["has_spouse"] = ever & (np.isin(status, ["初婚", "再婚", "复婚"]) | (rng.random(n) < 0.4))
    sidx = rng.choice(len(SURNAMES), n, p=SURNAME_P)
    p["spouse_birth"] = birth - (rng.normal(2.5, 3.0, n).clip(-4, 12) * 365.2425).astype(np.int64)
    p["spouse_name"] = SURNAMES[sidx] + draw_given(rng, p["spouse_birth"], female=False)
    p["spouse_start"] = _SURNAME_LEN[sidx]
    p["spouse_region"] = np.where(rng.random(n) < 0.5, p["region"], _draw_counties(rng, geo, n, 0.3, 0.4))
    p["spouse_seq"] = rng.integers(0, 500, n) * 2 + 1
    threshold = six_months_before(as_of_day)
    recent = (rng.random(n) < 0.14) & (kind != 0)
    since = np.where(recent, threshold + 1 + (rng.random(n) * (as_of_day - threshold)).astype(np.int64),
                     threshold - rng.integers(0, 15 * 365, n))
    p["since"] = np.where(recent, since, np.maximum(since, birth))
    u = rng.random(n)
    phone = np.full(n, "", dtype=object)
    phone[u < 0.84] = random_mobiles(rng, int((u < 0.84).sum()))
    land = (u >= 0.84) & (u < 0.91)
    phone[land] = geo.area_code + ints_to_str(80000000 + rng.integers(0, 10**7, int(land.sum())), 8)
    p["phone"] = phone
    companies = geo.county_parts[1][0].rstrip("市") + (_WORK_A[:, None] + _WORK_B[None, :]).ravel()
    a = rng.integers(0, len(_WORK_A), n)
    company = companies[a * len(_WORK_B) + rng.integers(0, len(_WORK_B), n)]
    special = _WORK_SPECIAL[rng.integers(0, len(_WORK_SPECIAL), n)]
    p["work_unit"] = np.where(rng.random(n) < 0.3, special, company).astype(object)
    current = ever & np.isin(status, ["初婚", "再婚", "复婚"])
    methods = np.array(["放环", "结扎", "皮埋", "药具", "无措施", ""], dtype=object)
    p["contraception"] = np.where(current, methods[rng.choice(6, n, p=[0.38, 0.1, 0.03, 0.22, 0.12, 0.15])],
                                  methods[rng.choice([3, 4, 5], n, p=[0.1, 0.1, 0.8])])
    pregnant = np.array(["现孕", "产后一月", ""], dtype=object)[rng.choice(3, n, p=[0.04, 0.01, 0.95])]
    p["pregnancy"] = np.where(current & (age >= 20) & (age < 43), pregnant, "").astype(object)
    res = _local_parts(rng, geo, p["res_u"])
    hukou = {k: v.copy() for k, v in res.items()}
    moved = np.flatnonzero((kind == 1) | ((kind == 0) & (rng.random(n) < 0.3)))
    rural = np.flatnonzero(kind == 2)
    for rows, parts in ((moved, _local_parts(rng, geo, np.maximum(p["hk_u"][moved], 0))),
                        (rural, _rural_parts(rng, p["hukou_county"][rural].astype(np.int64)))):
        for key, value in parts.items():
            hukou[key][rows] = value
    p.update({f"residence_addr_{k}": v for k, v in res.items()})
    p.update({f"hukou_addr_{k}": v for k, v in hukou.items()})


def concat_people(groups: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Stack person tables with the same keys."""
    return {k: np.concatenate([g[k] for g in groups]) for k in groups[0]}


def unique_ids(rng: np.random.Generator, region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Sequence numbers (n,) re-drawn (same parity) where region + birth + sequence repeat an earlier row."""
    seq, y = seq.copy(), ymd(birth)
    base = region * 10**11 + (y[0] * 10000 + y[1] * 100 + y[2]) * 1000
    for _ in range(50):
        _, first = np.unique(base + seq, return_index=True)
        clash = np.ones(len(seq), bool)
        clash[first] = False
        if not clash.any():
            break
        seq[clash] = rng.integers(0, 500, int(clash.sum())) * 2 + seq[clash] % 2
    return seq


LOOKALIKE_KINDS = ("twin", "sister", "mother_daughter", "namesake")
"""Kinds of look-alike women (index = ``lookalike_kind`` of a person table)."""


def make_lookalikes(rng: np.random.Generator, base: dict[str, np.ndarray], n: int, geo: Geography,
                    as_of_day: int, mix: np.ndarray | tuple[float, ...] = (0.35, 0.35, 0.0, 0.30)) -> dict[str, np.ndarray]:
    """n different women built to resemble women of ``base``, by kind shares ``mix`` (4,) of LOOKALIKE_KINDS.

    twin: same birth date, household, address and region, another given name (often sharing a character),
    sequence digits of her number differ; sister: the same household, 1-9 years apart; mother_daughter: one
    address, household and phone, 20-30 years apart, the daughter mostly under her father's surname (a
    base woman too young to have a daughter of 15 gets a mother, one too old to have a mother under 50 a
    daughter, in between a sister); namesake: same name and birth date, nothing else in common.
    """
    candidates = np.flatnonzero(~base["minority"])
    src = rng.choice(candidates, min(n, len(candidates)), replace=False)
    n = len(src)
    kind = rng.choice(4, n, p=np.asarray(mix, dtype=float) / np.sum(mix))
    twin, sister, family, namesake = kind == 0, kind == 1, kind == 2, kind == 3
    p = draw_people(rng, n, geo, as_of_day)
    p["minority"][:], p["ethnicity"] = False, base["ethnicity"][src].copy()
    src_age = (as_of_day - base["birth"][src]) / 365.2425
    as_daughter, as_mother = family & (src_age >= 36.0), family & (src_age < 29.5)
    sister, family = sister | (family & ~as_daughter & ~as_mother), as_daughter | as_mother
    kind = np.where(sister, 1, kind)
    same_place = twin | family | (sister & (rng.random(n) < 0.7))
    for key in ("res_u", "residence_code"):
        p[key] = np.where(same_place, base[key][src], p[key])
    for key in ("hk_u", "hk_kind", "hukou_code", "hukou_level", "hukou_county", "region"):
        p[key] = np.where(twin | sister | family, base[key][src], p[key])
    p["hk_kind"] = np.where((p["hk_kind"] == 0) & ~same_place, 1, p["hk_kind"])
    own_surname = (p["surname"].copy(), p["given_start"].copy())
    for key in ("surname", "given_start"):
        p[key] = base[key][src].copy()
    younger = np.where(src_age < 23, False, np.where(src_age > 42, True, rng.random(n) < 0.5))
    gap = rng.integers(1, 9, n) * 365 + rng.integers(0, 300, n)
    p["birth"] = np.where(sister, base["birth"][src] + np.where(younger, gap, -gap), base["birth"][src])
    if family.any():
        top = np.where(as_daughter, np.minimum(src_age - 15.1, 30.0), np.minimum(49.8 - src_age, 30.0))
        years = 20.0 + rng.random(n) * np.maximum(top - 20.0, 0.0)
        p["birth"] = np.where(family, base["birth"][src] + np.where(as_daughter, 1, -1) * (years * 365.2425).astype(np.int64),
                              p["birth"])
        # a daughter bears her father's surname (her mother's husband's) 85% of the time, a mother her own
        father = base["spouse_name"][src]
        fathers = np.array([s[:k] for s, k in zip(father.tolist(), base["spouse_start"][src].tolist())], dtype=object)
        use_father = as_daughter & base["has_spouse"][src] & (rng.random(n) < 0.85)
        p["surname"] = np.where(use_father, fathers, p["surname"]).astype(object)
        p["given_start"] = np.where(use_father, base["spouse_start"][src], p["given_start"])
        keep_own = as_mother & (rng.random(n) < 0.85)
        p["surname"] = np.where(keep_own, own_surname[0], p["surname"]).astype(object)
        p["given_start"] = np.where(keep_own, own_surname[1], p["given_start"])
    p["given"] = draw_given(rng, p["birth"], female=True)
    p["seq"] = np.where(twin, (base["seq"][src] + 2) % 1000, p["seq"])
    given = base["given"][src]
    r = np.random.default_rng(rng.integers(2**62))
    for i in np.flatnonzero(twin | sister).tolist():
        g, new = given[i], str(p["given"][i][0])
        if twin[i] or r.random() < 0.5:  # share a character (a sister sometimes shares the generation character)
            if len(g) == 2:
                g = g[0] + new if r.random() < 0.7 else new + g[-1]
            else:
                g = g + new if r.random() < 0.5 else new + g
            p["given"][i] = g if g != given[i] else g[0] + "儿"
    p["given"] = np.where(namesake, given, p["given"]).astype(object)
    _derive(rng, p, geo, as_of_day)
    household = twin | sister | family
    for key in [k for k in p if k.startswith("hukou_addr_")]:
        p[key] = np.where(household, base[key][src], p[key])
    for key in [k for k in p if k.startswith("residence_addr_")] + ["since"]:
        p[key] = np.where(same_place, base[key][src], p[key])
    p["phone"] = np.where((twin & (rng.random(n) < 0.4)) | family, base["phone"][src], p["phone"])
    p["lookalike_of"] = src.astype(np.int64)
    p["lookalike_kind"] = kind.astype(np.int64)
    return p
