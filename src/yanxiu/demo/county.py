"""Deterministic demonstration data: one county with clusters, schools, groups
and teachers, plus a handful of named logins.

:func:`generate` is pure: it returns plain data and touches no database, so
the same ``teachers`` and ``seed`` always give the same county (names, ID
numbers, phones, groups). :func:`load` writes that data with ``bulk_create``
in batches so that hundreds of thousands of teachers load in minutes.

Loading bypasses the service layer on purpose: the generator is trusted, so
there is no ``full_clean`` per row, no audit rows and no ``simple_history``
rows (``bulk_create`` sends no save signals). The history of demo records
therefore starts with the first change made through the application.

Every account gets the same password hash, computed once, because hashing
thousands of passwords one by one would take far longer than the load.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from stdnum.cn import ric

from yanxiu.org.choices import Education, EmploymentType, Gender, GroupKind, Position, RegionLevel, Stage, Tier, Title

DEMO_PASSWORD = "yanxiu123"
DEFAULT_TEACHERS = 2100
DEFAULT_SEED = 1
# Dates are computed against a fixed day (start of the 2026 school year), not
# today, so that the data does not drift from one day to the next.
AS_OF = dt.date(2026, 9, 1)
TEACHERS_PER_SCHOOL = 35
MIN_SCHOOLS = 60

PROVINCE = ("430000", "湖南省")
CITY = ("430100", "长沙市")
COUNTY = ("430121", "长沙县")
COUNTY_NAME = COUNTY[1]

# Birth place codes used in ID numbers; all of them are accepted by
# python-stdnum for every birth year used here.
BIRTH_PLACES = [("430121", 70), ("430321", 12), ("360121", 9), ("510121", 9)]

# (cluster, [(town, full town name), ...]); the first town of each cluster
# hosts its base school.
CLUSTERS: list[tuple[str, list[tuple[str, str]]]] = [
    ("星沙片区", [("星沙", "星沙街道"), ("泉塘", "泉塘街道"), ("湘龙", "湘龙街道"), ("松雅湖", "松雅湖街道")]),
    ("榔梨片区", [("榔梨", "榔梨街道"), ("黄兴", "黄兴镇")]),
    ("黄花片区", [("黄花", "黄花镇")]),
    ("江背片区", [("江背", "江背镇")]),
    ("春华片区", [("春华", "春华镇"), ("果园", "果园镇"), ("路口", "路口镇")]),
    ("福临片区", [("福临", "福临镇"), ("高桥", "高桥镇"), ("金井", "金井镇")]),
    ("安沙片区", [("安沙", "安沙镇"), ("北山", "北山镇"), ("青山铺", "青山铺镇"), ("开慧", "开慧镇")]),
]
TOWN_WEIGHT = {"星沙": 5, "泉塘": 3, "湘龙": 2, "松雅湖": 2, "榔梨": 3, "黄花": 2, "安沙": 2}

ROADS = ["开元路", "望仙路", "星沙大道", "人民路", "东四路", "东六路", "板仓路", "盼盼路", "特立路", "天华路",
         "漓湘路", "松雅路", "黄兴大道", "金江路", "福田路", "新塘路", "青山路", "桂园路", "映山路", "龙华路"]
VILLAGE_HEADS = "东西南北新金龙凤双石杨桂枫梅竹松白青檀莲桃柳花高"
VILLAGE_TAILS = "塘冲桥山湖园坪湾岭田河港林洲坡铺溪"

STAGE_SHARE = [
    (Stage.PRIMARY, 60), (Stage.JUNIOR, 17), (Stage.KINDERGARTEN, 8),
    (Stage.NINE_YEAR, 8), (Stage.SENIOR, 5), (Stage.VOCATIONAL, 2),
]
STAGE_SIZE = {
    Stage.PRIMARY: 35, Stage.JUNIOR: 55, Stage.NINE_YEAR: 50,
    Stage.SENIOR: 110, Stage.VOCATIONAL: 80, Stage.KINDERGARTEN: 14,
}
FEMALE_SHARE = {
    Stage.KINDERGARTEN: 0.97, Stage.PRIMARY: 0.74, Stage.NINE_YEAR: 0.65,
    Stage.JUNIOR: 0.58, Stage.SENIOR: 0.50, Stage.VOCATIONAL: 0.48,
}

SUBJECT_WEIGHTS: dict[str, dict[str, int]] = {
    Stage.PRIMARY: {"语文": 30, "数学": 25, "英语": 8, "科学": 6, "道德与法治": 4, "音乐": 5, "体育": 8,
                    "美术": 5, "信息技术": 3, "心理健康": 2, "劳动": 2, "综合实践": 2},
    Stage.JUNIOR: {"语文": 15, "数学": 15, "英语": 14, "物理": 7, "化学": 5, "生物": 5, "道德与法治": 6,
                   "历史": 6, "地理": 5, "音乐": 3, "体育": 7, "美术": 3, "信息技术": 3, "心理健康": 2,
                   "劳动": 2, "综合实践": 2},
    Stage.NINE_YEAR: {"语文": 22, "数学": 20, "英语": 11, "科学": 3, "物理": 4, "化学": 3, "生物": 3,
                      "道德与法治": 5, "历史": 4, "地理": 3, "音乐": 4, "体育": 8, "美术": 4, "信息技术": 3,
                      "心理健康": 1, "劳动": 1, "综合实践": 1},
    Stage.SENIOR: {"语文": 13, "数学": 13, "英语": 13, "物理": 8, "化学": 7, "生物": 7, "政治": 6, "历史": 6,
                   "地理": 6, "音乐": 2, "体育": 6, "美术": 2, "信息技术": 3, "通用技术": 2, "心理健康": 2},
    Stage.VOCATIONAL: {"语文": 10, "数学": 9, "英语": 8, "政治": 5, "历史": 3, "体育": 6, "信息技术": 6,
                       "心理健康": 2, "专业课": 45, "美术": 3, "音乐": 3},
    Stage.KINDERGARTEN: {"学前教育": 90, "音乐": 4, "美术": 3, "体育": 3},
}

_ARTS = ["音乐", "体育", "美术"]
RESEARCH_GROUPS: dict[str, list[tuple[str, list[str]]]] = {
    Stage.PRIMARY: [("语文组", ["语文"]), ("数学组", ["数学"]), ("英语组", ["英语"]), ("艺体组", _ARTS),
                    ("综合组", ["科学", "道德与法治", "信息技术", "心理健康", "劳动", "综合实践"])],
    Stage.JUNIOR: [("语文组", ["语文"]), ("数学组", ["数学"]), ("英语组", ["英语"]),
                   ("理化生组", ["物理", "化学", "生物"]), ("政史地组", ["道德与法治", "历史", "地理"]),
                   ("艺体组", _ARTS), ("综合组", ["信息技术", "心理健康", "劳动", "综合实践"])],
    Stage.NINE_YEAR: [("语文组", ["语文"]), ("数学组", ["数学"]), ("英语组", ["英语"]),
                      ("理科组", ["科学", "物理", "化学", "生物"]), ("文科组", ["道德与法治", "历史", "地理"]),
                      ("艺体组", _ARTS), ("综合组", ["信息技术", "心理健康", "劳动", "综合实践"])],
    Stage.SENIOR: [("语文组", ["语文"]), ("数学组", ["数学"]), ("英语组", ["英语"]), ("物理组", ["物理"]),
                   ("化学组", ["化学"]), ("生物组", ["生物"]), ("政治组", ["政治"]), ("历史组", ["历史"]),
                   ("地理组", ["地理"]), ("艺体组", _ARTS), ("综合组", ["信息技术", "通用技术", "心理健康"])],
    Stage.VOCATIONAL: [("语文组", ["语文"]), ("数学组", ["数学"]), ("英语组", ["英语"]), ("专业课组", ["专业课"]),
                       ("公共基础组", ["政治", "历史", "体育", "信息技术", "心理健康", "美术", "音乐"])],
    Stage.KINDERGARTEN: [("保教组", ["学前教育", "音乐", "美术", "体育"])],
}
_GRADES_JUNIOR = ["七年级", "八年级", "九年级"]
_GRADES_SENIOR = ["高一", "高二", "高三"]
# subject -> names of lesson-preparation groups (备课组) under its research group.
PREP_GROUPS: dict[str, dict[str, list[str]]] = {
    Stage.PRIMARY: {"语文": ["低段语文备课组", "中段语文备课组", "高段语文备课组"],
                    "数学": ["低段数学备课组", "高段数学备课组"]},
    Stage.JUNIOR: {s: [f"{g}{s}备课组" for g in _GRADES_JUNIOR] for s in ("语文", "数学", "英语")},
    Stage.NINE_YEAR: {s: [f"小学{s}备课组", f"初中{s}备课组"] for s in ("语文", "数学")},
    Stage.SENIOR: {s: [f"{g}{s}备课组" for g in _GRADES_SENIOR] for s in ("语文", "数学", "英语", "物理")},
    Stage.VOCATIONAL: {"专业课": ["计算机专业备课组", "机电专业备课组", "财会专业备课组"]},
    Stage.KINDERGARTEN: {"学前教育": ["小班组", "中班组", "大班组"]},
}
PREP_MIN_SCHOOL_SIZE = {Stage.KINDERGARTEN: 12}
PREP_MIN_SCHOOL_SIZE_DEFAULT = 25

SURNAMES = [
    ("李", 75), ("刘", 70), ("王", 65), ("陈", 60), ("张", 58), ("周", 45), ("黄", 42), ("彭", 38),
    ("罗", 36), ("杨", 35), ("唐", 34), ("谭", 33), ("曾", 30), ("胡", 30), ("邓", 28), ("肖", 27),
    ("吴", 26), ("易", 22), ("朱", 20), ("廖", 20), ("欧阳", 8), ("袁", 18), ("赵", 18), ("徐", 16),
    ("贺", 16), ("龙", 15), ("蒋", 15), ("许", 14), ("谢", 14), ("汤", 12), ("姚", 12), ("夏", 12),
    ("邹", 12), ("文", 11), ("熊", 11), ("向", 10), ("何", 10), ("郭", 10), ("高", 10), ("丁", 9),
    ("林", 9), ("孙", 9), ("马", 9), ("宋", 8), ("郑", 8), ("梁", 8), ("钟", 8), ("田", 8),
    ("毛", 7), ("戴", 7), ("雷", 7), ("颜", 7), ("付", 7), ("江", 6), ("任", 6), ("蔡", 6),
    ("石", 6), ("万", 6), ("卢", 6), ("范", 5), ("方", 5), ("皮", 4), ("尹", 5), ("陶", 5),
    ("左", 4), ("段", 4), ("苏", 4), ("鲁", 3), ("符", 3), ("司马", 1),
]
MALE_CHARS = ("伟强磊军勇杰涛斌超明辉刚鹏华飞波宇浩俊峰志建文林平亮成晨凯毅翔龙洋坤健东海锋新宏"
              "军国庆春光荣学兵胜德睿哲轩昊然博航铭骏泽宁远恒嘉")
FEMALE_CHARS = ("芳娟敏静丽艳霞玲婷燕红萍慧琳颖倩雪洁琴兰梅莉佳欣怡璐瑶薇晶晓丹妍蓉娜雯露"
                "秀英华玉桂珍凤琼莹媛蕾月彤诗涵梦雨思语萱")

PHONE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                  "150", "151", "152", "153", "155", "156", "157", "158", "159",
                  "180", "181", "182", "183", "184", "185", "186", "187", "188", "189"]

TITLE_RANK = {Title.NONE: 0, Title.THIRD: 1, Title.SECOND: 2, Title.FIRST: 3, Title.SENIOR: 4, Title.PROFESSOR: 5}
TIER_RANK = {Tier.NOVICE: 0, Tier.YOUNG: 1, Tier.MATURE: 2, Tier.BACKBONE: 3, Tier.LEADER: 4, Tier.MASTER: 5}

# The first school (长沙县星沙第一小学) carries the named teacher logins.
# Its first teachers are reserved: 0 principal, 1 training officer (school
# admin), 2 语文组 leader, 3 plain 语文 teacher.
SCHOOL_ADMIN_SLOT, LEADER_SLOT, TEACHER_SLOT = 1, 2, 3
MIN_FIRST_SCHOOL = 4


@dataclass(slots=True)
class ClusterSpec:
    name: str
    base_school: int  # index into DemoCounty.schools


@dataclass(slots=True)
class SchoolSpec:
    code: str
    name: str
    stage: str
    cluster: int
    town: str
    address: str
    size: int = 0


@dataclass(slots=True)
class GroupSpec:
    school: int
    name: str
    kind: str
    subject: str
    parent: int | None = None  # index into DemoCounty.groups
    leader: int | None = None  # index into DemoCounty.teachers


@dataclass(slots=True)
class TeacherSpec:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    phone: str
    username: str
    school: int
    stage: str
    subject: str
    position: str
    title: str
    education: str
    employment_type: str
    teaching_since: dt.date
    start_date: dt.date
    tier: str
    groups: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LoginSpec:
    username: str
    role: str  # accounts.Role value, "teacher" or "superuser"
    teacher: int | None = None  # index into DemoCounty.teachers
    school: int | None = None
    group: int | None = None


@dataclass(slots=True)
class DemoCounty:
    seed: int
    clusters: list[ClusterSpec]
    schools: list[SchoolSpec]
    groups: list[GroupSpec]
    teachers: list[TeacherSpec]
    logins: list[LoginSpec]


# --- Helpers -------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..9999 in Chinese numerals, as used in school names (第十二小学)."""
    if not 0 < n < 10000:
        raise ValueError(n)
    parts, units = [], ["千", "百", "十", ""]
    digits = f"{n:04d}"
    zero = False
    for digit, unit in zip(digits, units):
        d = int(digit)
        if d == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        parts.append(_DIGITS[d] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def _apportion(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainder) with per-item minimums."""
    counts = list(minimum)
    rest = total - sum(counts)
    if rest < 0:
        raise ValueError("total smaller than the minimums")
    wsum = sum(weights)
    quotas = [rest * w / wsum for w in weights]
    for i, q in enumerate(quotas):
        counts[i] += int(q)
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - int(quotas[i])), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


class _Names:
    """Unique school names per (town, stage)."""

    def __init__(self, rng: random.Random, towns: list[str]):
        villages = [h + t for h in VILLAGE_HEADS for t in VILLAGE_TAILS]
        self._villages = {town: rng.sample(villages, len(villages)) for town in towns}
        self._used: dict[tuple[str, str], int] = {}
        self._seq: dict[str, int] = {}
        self._taken: set[str] = set()

    def _village(self, town: str) -> str | None:
        pool = self._villages[town]
        return pool.pop() if pool else None

    def make(self, town: str, stage: str) -> str:
        key = (town, stage)
        k = self._used.get(key, 0)
        self._used[key] = k + 1
        c = COUNTY_NAME
        if stage == Stage.SENIOR:
            name = self._county_wide(stage, ["第一中学", "实验中学", "第二中学"], "第{}中学", start=3)
        elif stage == Stage.VOCATIONAL:
            name = self._county_wide(stage, ["职业中专学校"], "第{}职业中专学校", start=2)
        else:
            fixed = {
                Stage.PRIMARY: ["第一小学", "第二小学"],
                Stage.JUNIOR: ["中学"],
                Stage.NINE_YEAR: ["实验学校"],
                Stage.KINDERGARTEN: ["中心幼儿园"],
            }[stage]
            suffix = {Stage.PRIMARY: "小学", Stage.JUNIOR: "中学", Stage.NINE_YEAR: "学校",
                      Stage.KINDERGARTEN: "幼儿园"}[stage]
            if k < len(fixed):
                name = f"{c}{town}{fixed[k]}"
            else:
                village = self._village(town)
                name = f"{c}{town}{village}{suffix}" if village else f"{c}{town}第{chinese_number(k + 1)}{suffix}"
        while name in self._taken:  # only on exotic sizes; keep names unique
            name = f"{name}分校" if not name.endswith("分校") else f"{name[:-2]}第{len(self._taken)}分校"
        self._taken.add(name)
        return name

    def _county_wide(self, stage: str, fixed: list[str], pattern: str, start: int) -> str:
        k = self._seq.get(stage, 0)
        self._seq[stage] = k + 1
        if k < len(fixed):
            return f"{COUNTY_NAME}{fixed[k]}"
        return f"{COUNTY_NAME}{pattern.format(chinese_number(start + k - len(fixed) + 1))}"


def _school_code(index: int, total: int) -> str:
    # 10-digit school identification codes; the demo uses 430121 + sequence.
    return f"430121{index + 1:04d}" if total < 10000 else f"43{index + 1:08d}"


# --- Generation ----------------------------------------------------------------


def _generate_schools(rng: random.Random, n_schools: int) -> tuple[list[ClusterSpec], list[SchoolSpec]]:
    stage_counts = _apportion(n_schools, [w for _, w in STAGE_SHARE], [1] * len(STAGE_SHARE))
    stages: list[str] = []
    for (stage, _), count in zip(STAGE_SHARE, stage_counts):
        stages.extend([stage] * count)
    # The first len(CLUSTERS) primary schools are the base schools, one per
    # cluster, in the cluster's main town.
    n_primary = stages.count(Stage.PRIMARY)
    if n_primary < len(CLUSTERS):
        raise ValueError("too few schools")
    rest = stages[len(CLUSTERS):]
    rng.shuffle(rest)

    towns: list[tuple[str, str, int]] = []  # (town, full name, cluster index)
    for ci, (_, cluster_towns) in enumerate(CLUSTERS):
        towns.extend((t, full, ci) for t, full in cluster_towns)
    town_weights = [TOWN_WEIGHT.get(t, 1) for t, _, _ in towns]
    names = _Names(rng, [t for t, _, _ in towns])

    schools: list[SchoolSpec] = []
    base: list[int] = []

    def add(stage: str, town_index: int) -> int:
        town, full, ci = towns[town_index]
        index = len(schools)
        address = f"湖南省长沙市{COUNTY_NAME}{full}{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        schools.append(
            SchoolSpec(code=_school_code(index, n_schools), name=names.make(town, stage), stage=stage,
                       cluster=ci, town=town, address=address)
        )
        return index

    town_index_of_cluster = {}
    for ti, (_, _, ci) in enumerate(towns):
        town_index_of_cluster.setdefault(ci, ti)
    for ci in range(len(CLUSTERS)):
        base.append(add(Stage.PRIMARY, town_index_of_cluster[ci]))
    for stage in rest:
        add(stage, rng.choices(range(len(towns)), weights=town_weights)[0])
    clusters = [ClusterSpec(name=name, base_school=base[ci]) for ci, (name, _) in enumerate(CLUSTERS)]
    return clusters, schools


def _school_sizes(rng: random.Random, schools: list[SchoolSpec], base: set[int], n_teachers: int) -> list[int]:
    weights = []
    for i, school in enumerate(schools):
        w = STAGE_SIZE[school.stage] * rng.uniform(0.5, 1.5)
        if i in base:
            w *= 1.6
        weights.append(w)
    per_school_min = 1 if n_teachers >= len(schools) + MIN_FIRST_SCHOOL else 0
    minimum = [per_school_min] * len(schools)
    minimum[0] = MIN_FIRST_SCHOOL
    return _apportion(n_teachers, weights, minimum)


class _Unique:
    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.phones: set[str] = set()


_BIRTH_YEARS = list(range(1965, 2003))
_BIRTH_YEAR_WEIGHTS = [
    0.4 if y < 1968 else 0.7 if y < 1970 else 1.0 if y < 1980 else 1.1 if y < 1990 else 1.0 if y < 1995
    else 1.3
    for y in _BIRTH_YEARS
]
_PLACES = [p for p, _ in BIRTH_PLACES]
_PLACE_WEIGHTS = [w for _, w in BIRTH_PLACES]
_SURNAMES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]


def _person(rng: random.Random, unique: _Unique, female_share: float) -> tuple[str, str, dt.date, str, str]:
    gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
    chars = FEMALE_CHARS if gender == Gender.FEMALE else MALE_CHARS
    surname = rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.72 else "")
    name = surname + given
    year = rng.choices(_BIRTH_YEARS, weights=_BIRTH_YEAR_WEIGHTS)[0]
    while True:
        birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        place = rng.choices(_PLACES, weights=_PLACE_WEIGHTS)[0]
        gender_digit = rng.choice("13579" if gender == Gender.MALE else "02468")
        first17 = f"{place}{birth:%Y%m%d}{rng.randrange(100):02d}{gender_digit}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        if number not in unique.ids:
            unique.ids.add(number)
            break
    while True:
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
        if phone not in unique.phones:
            unique.phones.add(phone)
            break
    return name, gender, birth, number, phone


def _education(rng: random.Random, birth_year: int, stage: str) -> str:
    if birth_year < 1975:
        options = [(Education.SECONDARY, 10), (Education.JUNIOR_COLLEGE, 42), (Education.BACHELOR, 47),
                   (Education.MASTER, 1)]
    elif birth_year < 1990:
        options = [(Education.SECONDARY, 2), (Education.JUNIOR_COLLEGE, 18), (Education.BACHELOR, 74),
                   (Education.MASTER, 6)]
    else:
        options = [(Education.JUNIOR_COLLEGE, 8), (Education.BACHELOR, 80), (Education.MASTER, 11.5),
                   (Education.DOCTOR, 0.5)]
    if stage == Stage.KINDERGARTEN:
        options = [(e, w * (3 if e in (Education.JUNIOR_COLLEGE, Education.SECONDARY) else 1)) for e, w in options]
    elif stage == Stage.SENIOR:
        options = [(e, w * (3 if e in (Education.MASTER, Education.DOCTOR) else 0.3 if e != Education.BACHELOR else 1))
                   for e, w in options]
    return rng.choices([e for e, _ in options], weights=[w for _, w in options])[0]


_START_AGE = {Education.SECONDARY: (21, 21), Education.JUNIOR_COLLEGE: (21, 22), Education.BACHELOR: (22, 24),
              Education.MASTER: (25, 27), Education.DOCTOR: (28, 30)}


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _title(rng: random.Random, years: int, contract: bool) -> str:
    if years < 1:
        table = [(Title.NONE, 1)]
    elif years < 3:
        table = [(Title.NONE, 40), (Title.THIRD, 20), (Title.SECOND, 40)]
    elif years < 8:
        table = [(Title.NONE, 5), (Title.SECOND, 75), (Title.FIRST, 20)]
    elif years < 15:
        table = [(Title.SECOND, 35), (Title.FIRST, 60), (Title.SENIOR, 5)]
    elif years < 25:
        table = [(Title.SECOND, 15), (Title.FIRST, 60), (Title.SENIOR, 25)]
    else:
        table = [(Title.SECOND, 10), (Title.FIRST, 50), (Title.SENIOR, 38), (Title.PROFESSOR, 2)]
    if contract:
        table = [(Title.NONE, 60), (Title.SECOND, 40)] if years >= 1 else table
    return rng.choices([t for t, _ in table], weights=[w for _, w in table])[0]


def _tier(rng: random.Random, years: int, age: int, title: str) -> str:
    if years < 3:
        return Tier.NOVICE
    r = rng.random()
    rank = TITLE_RANK[title]
    if rank >= TITLE_RANK[Title.SENIOR] and age >= 40:
        if r < 0.05:
            return Tier.MASTER
        if r < 0.20:
            return Tier.LEADER
        if r < 0.55:
            return Tier.BACKBONE
    elif rank >= TITLE_RANK[Title.FIRST]:
        if r < 0.19:
            return Tier.BACKBONE
    elif rank >= TITLE_RANK[Title.SECOND] and r < 0.05:
        return Tier.BACKBONE
    return Tier.YOUNG if age <= 35 else Tier.MATURE


def _teacher(rng: random.Random, unique: _Unique, school_index: int, school: SchoolSpec, subject: str,
             as_of: dt.date) -> TeacherSpec:
    name, gender, birth, number, phone = _person(rng, unique, FEMALE_SHARE[school.stage])
    education = _education(rng, birth.year, school.stage)
    low, high = _START_AGE[education]
    start_year = birth.year + rng.randint(low, high)
    month = 9 if rng.random() < 0.85 else rng.randint(1, 12)
    teaching_since = min(dt.date(start_year, month, 1), as_of.replace(day=1))
    age = _years_between(birth, as_of)
    years = _years_between(teaching_since, as_of)
    contract = rng.random() < (0.22 if age < 30 else 0.06)
    title = _title(rng, years, contract)
    tier = _tier(rng, years, age, title)
    if rng.random() < 0.4 or teaching_since.year >= as_of.year:
        start_date = teaching_since
    else:
        start_date = dt.date(rng.randint(teaching_since.year + 1, as_of.year), 9, 1)
    return TeacherSpec(
        name=name, gender=gender, birth_date=birth, id_number=number, phone=phone, username=phone,
        school=school_index, stage=school.stage, subject=subject, position=Position.TEACHER, title=title,
        education=education,
        employment_type=EmploymentType.CONTRACT if contract else EmploymentType.ESTABLISHED,
        teaching_since=teaching_since, start_date=start_date, tier=tier,
    )


def _assign_positions(teachers: list[TeacherSpec], members: range, reserved: set[int]) -> None:
    """Principal, vice principal and middle managers from the most senior staff;
    one teaching assistant (教辅) in large schools."""
    size = len(members)
    candidates = sorted(
        (ti for ti in members if ti not in reserved),
        key=lambda ti: (TITLE_RANK[teachers[ti].title], -teachers[ti].teaching_since.toordinal(), -ti),
        reverse=True,
    )
    wanted = []
    if size >= 6:
        wanted.append(Position.PRINCIPAL)
    if size >= 15:
        wanted.append(Position.VICE_PRINCIPAL)
    wanted.extend([Position.DIRECTOR] * (size // 15))
    for ti, position in zip(candidates, wanted):
        teachers[ti].position = position
    if size >= 40 and len(candidates) > len(wanted):
        assistant = teachers[candidates[-1]]
        assistant.position, assistant.subject = Position.ASSISTANT, ""


def _leader_key(t: TeacherSpec, index: int) -> tuple:
    return (TIER_RANK[t.tier], TITLE_RANK[t.title], -t.teaching_since.toordinal(), -index)


def generate(teachers: int = DEFAULT_TEACHERS, seed: int = DEFAULT_SEED, *, as_of: dt.date = AS_OF) -> DemoCounty:
    """Build the demo county in memory. Same arguments, same result."""
    if teachers < MIN_FIRST_SCHOOL:
        raise ValueError(f"teachers must be at least {MIN_FIRST_SCHOOL}")
    rng = random.Random(seed)
    n_schools = max(MIN_SCHOOLS, round(teachers / TEACHERS_PER_SCHOOL))
    clusters, schools = _generate_schools(rng, n_schools)
    sizes = _school_sizes(rng, schools, {c.base_school for c in clusters}, teachers)
    staff = _Staff(rng=rng, as_of=as_of)
    for si, school in enumerate(schools):
        school.size = sizes[si]
        if school.size:
            staff.add_school(si, school)
    for slot, username in {SCHOOL_ADMIN_SLOT: "school", LEADER_SLOT: "leader", TEACHER_SLOT: "teacher"}.items():
        staff.teachers[slot].username = username
    return DemoCounty(seed=seed, clusters=clusters, schools=schools, groups=staff.groups, teachers=staff.teachers,
                      logins=_logins(staff.groups))


def _logins(groups: list[GroupSpec]) -> list[LoginSpec]:
    """The named logins; the teachers among them are the reserved slots of the first school."""
    yuwen = next(gi for gi, g in enumerate(groups) if g.school == 0 and g.name == "语文组")
    return [
        LoginSpec("admin", "superuser"),
        LoginSpec("bureau", "bureau_admin"),
        LoginSpec("centre", "centre_staff"),
        LoginSpec("school", "school_admin", teacher=SCHOOL_ADMIN_SLOT, school=0),
        LoginSpec("leader", "group_leader", teacher=LEADER_SLOT, group=yuwen),
        LoginSpec("teacher", "teacher", teacher=TEACHER_SLOT, school=0),
        LoginSpec("presenter", "presenter"),
    ]


class _Staff:
    """The teachers and groups of the county, built school by school from one random stream."""

    def __init__(self, *, rng: random.Random, as_of: dt.date) -> None:
        self.rng, self.as_of = rng, as_of
        self.unique = _Unique()
        self.teachers: list[TeacherSpec] = []
        self.groups: list[GroupSpec] = []

    def add_school(self, si: int, school: SchoolSpec) -> None:
        first = len(self.teachers)
        self._add_teachers(si, school)
        members = range(first, first + school.size)
        # The named logins keep their roles: no other posts, and only the
        # designated leader leads a group.
        reserved = {SCHOOL_ADMIN_SLOT, LEADER_SLOT, TEACHER_SLOT} if si == 0 else set()
        if si == 0:
            self.teachers[SCHOOL_ADMIN_SLOT].position = Position.DIRECTOR
        _assign_positions(self.teachers, members, reserved)
        self._add_groups(si, school, members, reserved)

    def _add_teachers(self, si: int, school: SchoolSpec) -> None:
        rng = self.rng
        weights = SUBJECT_WEIGHTS[school.stage]
        subjects = rng.choices(list(weights), weights=list(weights.values()), k=school.size)
        if si == 0:
            subjects[SCHOOL_ADMIN_SLOT] = "数学"
            subjects[LEADER_SLOT] = subjects[TEACHER_SLOT] = "语文"
        for k in range(school.size):
            teacher = _teacher(rng, self.unique, si, school, subjects[k], self.as_of)
            while si == 0 and k == LEADER_SLOT and TITLE_RANK[teacher.title] < TITLE_RANK[Title.FIRST]:
                # The demo group leader should be an experienced teacher.
                teacher = _teacher(rng, self.unique, si, school, subjects[k], self.as_of)
            self.teachers.append(teacher)

    def _best(self, candidates: list[int]) -> int:
        return max(candidates, key=lambda ti: _leader_key(self.teachers[ti], ti))

    def _add_groups(self, si: int, school: SchoolSpec, members: range, reserved: set[int]) -> None:
        """Research groups that have members, each followed by its lesson-preparation groups."""
        by_subject: dict[str, list[int]] = {}
        for ti in members:
            by_subject.setdefault(self.teachers[ti].subject, []).append(ti)
        prep_allowed = school.size >= PREP_MIN_SCHOOL_SIZE.get(school.stage, PREP_MIN_SCHOOL_SIZE_DEFAULT)
        for group_name, group_subjects in RESEARCH_GROUPS[school.stage]:
            group_members = sorted(ti for s in group_subjects for ti in by_subject.get(s, []))
            if not group_members:
                continue
            gi = len(self.groups)
            self.groups.append(GroupSpec(school=si, name=group_name, kind=GroupKind.RESEARCH,
                                         subject=group_subjects[0] if len(group_subjects) == 1 else ""))
            for ti in group_members:
                self.teachers[ti].groups.append(gi)
            if si == 0 and group_name == "语文组":
                leader = members[0] + LEADER_SLOT
            else:
                leader = self._best([ti for ti in group_members if ti not in reserved] or group_members)
            self.groups[gi].leader = leader
            if not prep_allowed:
                continue
            for subject in group_subjects:
                self._add_prep_groups(si, school, gi, subject, by_subject.get(subject, []), {leader, *reserved})

    def _add_prep_groups(
        self, si: int, school: SchoolSpec, parent: int, subject: str, subject_members: list[int], not_leading: set[int]
    ) -> None:
        """The subject's 备课组 under ``parent``, members dealt round-robin after a shuffle."""
        names = PREP_GROUPS[school.stage].get(subject)
        if not names or len(subject_members) < 2 * len(names):
            return
        prep_indices = []
        for pname in names:
            prep_indices.append(len(self.groups))
            self.groups.append(GroupSpec(school=si, name=pname, kind=GroupKind.PREPARATION, subject=subject,
                                         parent=parent))
        prep_members: dict[int, list[int]] = {p: [] for p in prep_indices}
        shuffled = self.rng.sample(subject_members, len(subject_members))
        for n, ti in enumerate(shuffled):
            p = prep_indices[n % len(prep_indices)]
            prep_members[p].append(ti)
            self.teachers[ti].groups.append(p)
        for p in prep_indices:
            candidates = [ti for ti in prep_members[p] if ti not in not_leading] or prep_members[p]
            if candidates:
                self.groups[p].leader = self._best(candidates)


# --- Loading -------------------------------------------------------------------


def demo_exists() -> bool:
    from yanxiu.org.models import Region

    return Region.objects.filter(code=COUNTY[0]).exists()


def _chunks(seq: list, size: int) -> Iterator[tuple[int, list]]:
    for start in range(0, len(seq), size):
        yield start, seq[start : start + size]


def load(
    county: DemoCounty,
    *,
    password: str = DEMO_PASSWORD,
    chunk_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write ``county`` to the database in one transaction (see module docstring)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    loader = _Loader(county, encoded=make_password(password), chunk_size=chunk_size, progress=progress)
    with transaction.atomic():
        loader.regions()
        loader.schools()
        # Accounts and people first, so that groups can be created with their leaders.
        loader.people()
        loader.groups()
        loader.employments()
        loader.roles()


_LOGIN_NAMES = {"admin": "系统管理员", "bureau": "县教育局管理员", "centre": "教师发展中心研训员", "presenter": "特邀主讲人"}


class _Loader:
    """The steps of :func:`load`; each keeps the database ids the next ones refer to."""

    def __init__(self, county: DemoCounty, *, encoded: str, chunk_size: int, progress: Callable[[int, int], None] | None):
        from django.utils import timezone

        self.county, self.encoded, self.chunk_size = county, encoded, chunk_size  # every demo account shares ``encoded``
        self.progress = progress or (lambda _done, _total: None)
        self.now = timezone.now()
        self.total = len(county.teachers)

    def regions(self) -> None:
        from yanxiu.org.models import Region

        province, _ = Region.objects.get_or_create(
            code=PROVINCE[0], defaults={"name": PROVINCE[1], "level": RegionLevel.PROVINCE}
        )
        city, _ = Region.objects.get_or_create(
            code=CITY[0], defaults={"name": CITY[1], "level": RegionLevel.CITY, "parent": province}
        )
        self.region = Region.objects.create(code=COUNTY[0], name=COUNTY[1], level=RegionLevel.COUNTY, parent=city)

    def schools(self) -> None:
        from yanxiu.org.models import Cluster, School

        clusters = Cluster.objects.bulk_create([Cluster(county=self.region, name=c.name) for c in self.county.clusters])
        self.school_rows = School.objects.bulk_create(
            [
                School(code=s.code, name=s.name, county=self.region, cluster=clusters[s.cluster], stage=s.stage,
                       address=s.address)
                for s in self.county.schools
            ],
            batch_size=self.chunk_size,
        )
        for cluster, spec in zip(clusters, self.county.clusters):
            cluster.base_school = self.school_rows[spec.base_school]
        Cluster.objects.bulk_update(clusters, ["base_school"])

    def people(self) -> None:
        from yanxiu.accounts.models import User
        from yanxiu.org.models import Person

        self.user_ids: list[int] = []
        self.person_ids: list[int] = []
        for start, chunk in _chunks(self.county.teachers, self.chunk_size):
            users = User.objects.bulk_create(
                [
                    User(username=t.username, display_name=t.name, password=self.encoded, must_change_password=False,
                         date_joined=self.now)
                    for t in chunk
                ]
            )
            self.user_ids.extend(u.pk for u in users)
            people = Person.objects.bulk_create(
                [
                    Person(name=t.name, gender=t.gender, birth_date=t.birth_date, id_number=t.id_number,
                           phone=t.phone, user_id=u.pk)
                    for t, u in zip(chunk, users)
                ]
            )
            self.person_ids.extend(p.pk for p in people)
            self.progress(start + len(chunk), self.total * 2)

    def groups(self) -> None:
        from yanxiu.org.models import Group

        self.group_ids: list[int] = [0] * len(self.county.groups)
        for kind_pass in (False, True):  # research groups first: they are the parents
            pending = [(gi, g) for gi, g in enumerate(self.county.groups) if (g.parent is not None) == kind_pass]
            for _, part in _chunks(pending, self.chunk_size):
                created = Group.objects.bulk_create(
                    [
                        Group(school=self.school_rows[g.school], name=g.name, kind=g.kind, subject=g.subject,
                              parent_id=self.group_ids[g.parent] if g.parent is not None else None,
                              leader_id=self.person_ids[g.leader] if g.leader is not None else None)
                        for _, g in part
                    ]
                )
                for (gi, _), obj in zip(part, created):
                    self.group_ids[gi] = obj.pk

    def employments(self) -> None:
        from yanxiu.org.models import Employment

        through = Employment.groups.through
        for start, chunk in _chunks(self.county.teachers, self.chunk_size):
            employments = Employment.objects.bulk_create(
                [
                    Employment(person_id=self.person_ids[start + k], school=self.school_rows[t.school],
                               start_date=t.start_date, stage=t.stage, subject=t.subject, position=t.position,
                               title=t.title, education=t.education, employment_type=t.employment_type,
                               teaching_since=t.teaching_since, tier=t.tier)
                    for k, t in enumerate(chunk)
                ]
            )
            through.objects.bulk_create(
                [
                    through(employment_id=e.pk, group_id=self.group_ids[gi])
                    for t, e in zip(chunk, employments)
                    for gi in t.groups
                ]
            )
            self.progress(self.total + start + len(chunk), self.total * 2)

    def roles(self) -> None:
        """Group leaders, then the named logins (an account made for those that are not teachers)."""
        from yanxiu.accounts.models import Role, RoleAssignment, User

        roles = [
            RoleAssignment(user_id=self.user_ids[g.leader], role=Role.GROUP_LEADER, group_id=self.group_ids[gi])
            for gi, g in enumerate(self.county.groups)
            if g.leader is not None
        ]
        logins = self.county.logins
        existing = set(User.objects.filter(username__in=[x.username for x in logins]).values_list("username", flat=True))
        for login in logins:
            if login.teacher is not None:
                user_id = self.user_ids[login.teacher]
            elif login.username in existing:
                continue  # e.g. an administrator created before the demo was loaded: leave it alone
            else:
                user_id = User.objects.create(
                    username=login.username,
                    display_name=_LOGIN_NAMES[login.username],
                    password=self.encoded,
                    is_staff=login.role == "superuser",
                    is_superuser=login.role == "superuser",
                    date_joined=self.now,
                ).pk
            if login.role in (Role.BUREAU_ADMIN, Role.CENTRE_STAFF, Role.PRESENTER):
                roles.append(RoleAssignment(user_id=user_id, role=login.role, region=self.region))
            elif login.role == Role.SCHOOL_ADMIN:
                roles.append(RoleAssignment(user_id=user_id, role=login.role, school=self.school_rows[login.school]))
            # group leader: already covered by the leader assignments above.
        RoleAssignment.objects.bulk_create(roles, batch_size=self.chunk_size)


# --- Login summary ---------------------------------------------------------------

LOGIN_USERNAMES = ["admin", "bureau", "centre", "school", "leader", "teacher", "presenter"]


def login_rows() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) for the named demo logins found in the database."""
    from yanxiu.accounts.models import RoleAssignment, User

    from yanxiu.org.models import Person

    rows = []
    for username in LOGIN_USERNAMES:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        roles, scopes_ = [], []
        if user.is_superuser:
            roles.append("超级管理员")
            scopes_.append("全部")
        for ra in RoleAssignment.objects.filter(user=user).select_related("region", "school", "group__school"):
            roles.append(str(ra.get_role_display()))
            if ra.group_id:
                scopes_.append(f"{ra.group.school.name} {ra.group.name}")
            elif ra.school_id:
                scopes_.append(ra.school.name)
            elif ra.region_id:
                scopes_.append(ra.region.name)
        person = Person.objects.filter(user=user).first()
        if person is not None:
            employment = person.current_employment
            if not roles:
                roles.append("教师")
            if employment is not None and employment.school.name not in " ".join(scopes_):
                scopes_.append(employment.school.name)
            scopes_.append(f"{person.name}")
        rows.append((username, DEMO_PASSWORD, "、".join(roles), "；".join(scopes_)))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A plain-text table that stays aligned with Chinese (double-width) characters."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths)) + " |"

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    return "\n".join([rule, line(header), rule, *(line(r) for r in rows), rule])
