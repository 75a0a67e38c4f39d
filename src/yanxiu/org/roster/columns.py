"""The roster's columns (found by their header text and aliases) and the
vocabularies that map the values people type to the choices of
:mod:`yanxiu.org.choices`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from yanxiu.core import sheets

from ..choices import SUBJECTS, Education, EmploymentType, Gender, Position, Stage, Tier, Title

_Column = sheets.Column

COLUMNS: tuple[_Column, ...] = (
    _Column("name", "姓名", ("姓名", "教师姓名", "教职工姓名"), True),
    _Column("gender", "性别", ("性别",), True),
    _Column(
        "id_number",
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "居民身份证号码", "身份证", "身份证件号码", "证件号码"),
        True,
    ),
    _Column("phone", "手机", ("手机", "手机号", "手机号码", "联系电话", "电话", "联系方式")),
    _Column("birth_date", "出生日期", ("出生日期", "出生年月", "出生年月日")),
    _Column("stage", "学段", ("学段", "任教学段"), True),
    _Column("subject", "学科", ("学科", "任教学科", "任教科目", "科目"), True),
    _Column("title", "职称", ("职称", "现任职称", "专业技术职称", "职称等级"), True),
    _Column("education", "学历", ("学历", "最高学历"), True),
    _Column("employment_type", "编制", ("编制", "用工形式", "编制情况", "编制类型"), True),
    _Column("teaching_since", "参加工作年月", ("参加工作年月", "参加工作时间", "参加工作日期"), True),
    _Column("research_group", "教研组", ("教研组", "所在教研组", "所属教研组")),
    _Column("prep_group", "备课组", ("备课组", "所在备课组", "所属备课组")),
    _Column("position", "岗位", ("岗位", "岗位类别")),
    _Column("tier", "梯队", ("梯队", "成长梯队", "教师梯队")),
    _Column("start_date", "到校日期", ("到校日期", "到校时间", "调入本校时间", "进校时间")),
)
_COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


# --- Value vocabularies -------------------------------------------------------


def _vocab(choices: type, extra: dict[str, str]) -> dict[str, str]:
    table = {_value_key(str(label)): str(value) for value, label in choices.choices}
    table.update({_value_key(k): str(v) for k, v in extra.items()})
    return table


@lru_cache(maxsize=4096)
def _value_key(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).upper()


_GENDERS = _vocab(Gender, {"男性": Gender.MALE, "M": Gender.MALE, "女性": Gender.FEMALE, "F": Gender.FEMALE})
_STAGES = _vocab(
    Stage,
    {
        "学前": Stage.KINDERGARTEN,
        "学前教育": Stage.KINDERGARTEN,
        "幼教": Stage.KINDERGARTEN,
        "初级中学": Stage.JUNIOR,
        "初中部": Stage.JUNIOR,
        "九年制": Stage.NINE_YEAR,
        "九年一贯": Stage.NINE_YEAR,
        "高级中学": Stage.SENIOR,
        "高中部": Stage.SENIOR,
        "普通高中": Stage.SENIOR,
        "中职": Stage.VOCATIONAL,
        "职业高中": Stage.VOCATIONAL,
        "中等职业": Stage.VOCATIONAL,
        "小学部": Stage.PRIMARY,
    },
)
# Titles before the 2015 reform map to the unified titles: 中学高级 -> 高级,
# 中学一级/小学高级 -> 一级, 中学二级/小学一级 -> 二级, 中学三级/小学二级/小学三级 -> 三级.
_TITLES = _vocab(
    Title,
    {
        "无": Title.NONE,
        "暂无": Title.NONE,
        "未定级": Title.NONE,
        "未评级": Title.NONE,
        "未评定": Title.NONE,
        "见习": Title.NONE,
        "试用期": Title.NONE,
        "三级": Title.THIRD,
        "二级": Title.SECOND,
        "一级": Title.FIRST,
        "高级": Title.SENIOR,
        "副高": Title.SENIOR,
        "副高级": Title.SENIOR,
        "正高": Title.PROFESSOR,
        "正高级": Title.PROFESSOR,
        "中学高级": Title.SENIOR,
        "中学高级教师": Title.SENIOR,
        "中学一级": Title.FIRST,
        "中学一级教师": Title.FIRST,
        "中学二级": Title.SECOND,
        "中学二级教师": Title.SECOND,
        "中学三级": Title.THIRD,
        "中学三级教师": Title.THIRD,
        "小学高级": Title.FIRST,
        "小学高级教师": Title.FIRST,
        "小学一级": Title.SECOND,
        "小学一级教师": Title.SECOND,
        "小学二级": Title.THIRD,
        "小学二级教师": Title.THIRD,
        "小学三级": Title.THIRD,
        "小学三级教师": Title.THIRD,
        "幼儿园高级": Title.FIRST,
        "幼儿园一级": Title.SECOND,
        "幼儿园二级": Title.THIRD,
    },
)
_EDUCATIONS = _vocab(
    Education,
    {
        "中专": Education.SECONDARY,
        "中师": Education.SECONDARY,
        "高中": Education.SECONDARY,
        "高中及以下": Education.SECONDARY,
        "初中": Education.SECONDARY,
        "中专以下": Education.SECONDARY,
        "专科": Education.JUNIOR_COLLEGE,
        "大学专科": Education.JUNIOR_COLLEGE,
        "大专学历": Education.JUNIOR_COLLEGE,
        "大学本科": Education.BACHELOR,
        "本科学历": Education.BACHELOR,
        "学士": Education.BACHELOR,
        "硕士": Education.MASTER,
        "研究生": Education.MASTER,
        "硕士研究生学历": Education.MASTER,
        "博士": Education.DOCTOR,
    },
)
_EMPLOYMENT_TYPES = _vocab(
    EmploymentType,
    {
        "编内": EmploymentType.ESTABLISHED,
        "正式": EmploymentType.ESTABLISHED,
        "有编": EmploymentType.ESTABLISHED,
        "在编在岗": EmploymentType.ESTABLISHED,
        "事业编": EmploymentType.ESTABLISHED,
        "事业编制": EmploymentType.ESTABLISHED,
        "临时聘用": EmploymentType.CONTRACT,
        "代课": EmploymentType.CONTRACT,
        "代课教师": EmploymentType.CONTRACT,
        "合同": EmploymentType.CONTRACT,
        "合同制": EmploymentType.CONTRACT,
        "编外": EmploymentType.CONTRACT,
        "聘用": EmploymentType.CONTRACT,
        "劳务派遣": EmploymentType.CONTRACT,
    },
)
_POSITIONS = _vocab(
    Position,
    {
        "教师": Position.TEACHER,
        "任课教师": Position.TEACHER,
        "中层": Position.DIRECTOR,
        "主任": Position.DIRECTOR,
        "教辅": Position.ASSISTANT,
        "工勤": Position.STAFF,
    },
)
_TIERS = _vocab(
    Tier,
    {
        "新教师": Tier.NOVICE,
        "新任": Tier.NOVICE,
        "青年": Tier.YOUNG,
        "成熟": Tier.MATURE,
        "骨干": Tier.BACKBONE,
        "带头人": Tier.LEADER,
        "名优教师": Tier.MASTER,
    },
)
_SUBJECTS = {_value_key(s): s for s in SUBJECTS}
_SUBJECTS.update(
    {
        _value_key(k): v
        for k, v in {
            "思想品德": "道德与法治",
            "思品": "道德与法治",
            "品德与社会": "道德与法治",
            "品德与生活": "道德与法治",
            "道法": "道德与法治",
            "思想政治": "政治",
            "信息": "信息技术",
            "计算机": "信息技术",
            "心理": "心理健康",
            "心理健康教育": "心理健康",
            "综合实践活动": "综合实践",
            "劳动技术": "劳动",
            "体育与健康": "体育",
            "幼教": "学前教育",
            "幼儿教育": "学前教育",
            "特教": "特殊教育",
            "外语": "英语",
        }.items()
    }
)


def _labels(choices: type) -> str:
    return "、".join(str(label) for label in choices.labels)


def _choice(value: str, table: dict[str, str]) -> str | None:
    return table.get(_value_key(value))
