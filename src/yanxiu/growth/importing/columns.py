"""The columns of a growth register and the words schools write in them.

Registers (听课记录, 成果登记) name their columns their own way; each column
is known by a label and the aliases seen in such registers, compared by
:func:`yanxiu.core.sheets.header_key` (NFKC, no spaces, no note in brackets).
Values (类型, 级别, 等次, 角色, 状态) are matched by :func:`value_key`.
"""

from __future__ import annotations

import re
import unicodedata

import functools

from django.utils import translation

from yanxiu.core import sheets

from ..choices import KIND_SYNONYMS, AwardRank, Level, RecordKind, TopicRole, TopicStatus

COLUMNS: tuple[sheets.Column, ...] = (
    sheets.Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码", "身份证件号码")),
    sheets.Column("name", "姓名", ("教师姓名", "教师", "听课人", "听课教师", "听课者", "填报人", "获奖教师", "获奖人", "作者",
                                      "主讲人", "主持人姓名", "命题人", "执笔人", "姓名(听课人)")),
    sheets.Column("kind", "类型", ("类别", "记录类型", "成果类型", "成果类别", "记录类别", "项目类型", "活动类型")),
    sheets.Column("date", "日期", ("时间", "听课日期", "听课时间", "授课日期", "授课时间", "获奖日期", "获奖时间", "发表日期",
                                      "发表时间", "立项日期", "立项时间", "讲座日期", "讲座时间", "登记日期", "完成日期", "完成时间")),
    sheets.Column("title", "名称", ("课题", "课题名称", "题目", "成果名称", "论文题目", "文章题目", "讲座题目", "讲座主题", "课名",
                                       "课例名称", "授课内容", "授课课题", "书名", "书目", "获奖名称", "获奖项目", "试卷名称", "主题")),
    sheets.Column("observed_name", "授课教师", ("执教者", "执教教师", "执教人", "授课人", "上课教师", "被听课教师")),
    sheets.Column("class_name", "班级", ("授课班级", "听课班级", "年级班级")),
    sheets.Column("subject", "学科", ("科目", "任教学科", "授课学科")),
    sheets.Column("level", "级别", ("获奖级别", "发表级别", "课题级别", "层级", "级别(校/县/市/省/国家)")),
    sheets.Column("rank", "等次", ("获奖等次", "获奖等级", "奖次", "奖项", "名次", "作者排名", "排名")),
    sheets.Column("venue", "刊物", ("发表刊物", "刊物名称", "发表刊物名称", "主办单位", "颁奖单位", "发证单位", "举办单位", "组织单位",
                                       "立项单位", "出版单位", "赛事", "赛事名称", "比赛名称", "竞赛名称")),
    sheets.Column("role", "角色", ("课题角色", "本人角色", "承担角色", "担任角色", "课题中角色")),
    sheets.Column("topic_status", "状态", ("课题状态", "研究状态", "进展", "研究进展")),
    sheets.Column("content", "内容", ("主要内容", "内容摘要", "记录", "听课记录内容", "教学过程", "摘要")),
    sheets.Column("critique", "评课", ("评课意见", "评课记录", "听课评价", "评价", "点评", "评析", "听课意见")),
    sheets.Column("note", "备注", ("说明",)),
    sheets.Column("student_award", "指导学生获奖", ("指导学生", "是否指导学生获奖", "学生获奖")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADER_SEARCH_ROWS = 10
HEADER_MIN_MATCHES = 4

#: The longest text each column may hold (the model's lengths; the free texts are bounded here).
MAX_LENGTHS = {"name": 40, "title": 200, "class_name": 40, "subject": 30, "observed_name": 40, "venue": 120, "rank": 20,
               "content": 5000, "critique": 5000, "note": 1000}


def value_key(value: object) -> str:
    """A cell compared with a vocabulary: NFKC, no spaces, no trailing brackets, lower case."""
    text = unicodedata.normalize("NFKC", sheets.cell_text(value))
    text = re.sub(r"\s+", "", text)
    return text.strip("*※").lower()


def _table(pairs) -> dict[str, str]:
    return {value_key(word): str(code.value) for code, words in pairs for word in words}


@functools.cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Cell text -> stored code for 类型, 级别, 等次, 角色 and 状态.

    Built once under the source language: the choices' Chinese labels are the
    words registers use, whatever language the request that first asks runs in."""
    with translation.override("zh-hans"):
        return {
            # 类型: each kind's label, the synonyms of KIND_SYNONYMS and a few more.
            "kind": _table(
                [(kind, (kind.label, *KIND_SYNONYMS.get(kind, ()))) for kind in RecordKind]
                + [
                    (RecordKind.ARTICLE, ("发表论文", "论文获奖")),
                    (RecordKind.RESEARCH_TOPIC, ("课题立项", "课题结题", "课题研究成果")),
                    (RecordKind.AWARD, ("学生获奖", "辅导学生获奖", "教师获奖", "个人获奖")),
                    (RecordKind.OBSERVATION, ("听课笔记", "听评课记录")),
                ]
            ),
            "level": _table([
                (Level.SCHOOL, (Level.SCHOOL.label, "校", "学校", "本校", "校内")),
                (Level.CLUSTER, (Level.CLUSTER.label, "学区", "片区", "片区级", "乡镇", "乡镇级", "镇级", "联校")),
                (Level.COUNTY, (Level.COUNTY.label, "县", "区", "区级", "县区", "区县", "县区级", "县(区)级", "县(市、区)级",
                                "县市区")),
                (Level.CITY, (Level.CITY.label, "市", "地市级", "州级", "市州级")),
                (Level.PROVINCE, (Level.PROVINCE.label, "省", "自治区级")),
                (Level.NATIONAL, (Level.NATIONAL.label, "国家", "全国", "全国级", "国家级别")),
            ]),
            "rank": _table([
                (AwardRank.SPECIAL, (AwardRank.SPECIAL.label, "特等", "特奖")),
                (AwardRank.FIRST, (AwardRank.FIRST.label, "一等", "1等", "1等奖", "一级奖")),
                (AwardRank.SECOND, (AwardRank.SECOND.label, "二等", "2等", "2等奖", "二级奖")),
                (AwardRank.THIRD, (AwardRank.THIRD.label, "三等", "3等", "3等奖", "三级奖")),
                (AwardRank.MERIT, (AwardRank.MERIT.label, "优秀", "优胜奖")),
            ]),
            "role": _table([
                (TopicRole.LEAD, (TopicRole.LEAD.label, "主持", "主持者", "负责人", "课题负责人", "组长")),
                (TopicRole.MEMBER, (TopicRole.MEMBER.label, "参与", "参与人", "成员", "课题组成员", "主研", "主研人员", "核心成员")),
            ]),
            "topic_status": _table([
                (TopicStatus.APPROVED, (TopicStatus.APPROVED.label, "立项", "批准立项")),
                (TopicStatus.ONGOING, (TopicStatus.ONGOING.label, "研究中", "进行中", "开题", "已开题", "中期")),
                (TopicStatus.CONCLUDED, (TopicStatus.CONCLUDED.label, "结题", "结项", "已结项", "完成", "已完成")),
            ]),
        }


#: Kinds written as a student award (指导学生获奖): an award with ``student_award`` set.
STUDENT_AWARD_WORDS = frozenset({"指导学生获奖", "学生获奖", "辅导学生获奖"})

YES = {value_key(w) for w in ("是", "有", "y", "yes", "true", "1", "√", "指导学生")}
NO = {value_key(w) for w in ("否", "无", "n", "no", "false", "0", "")}


def allowed(key: str) -> str:
    """The words a column accepts, for an error message: the choices' labels."""
    choices = {"kind": RecordKind, "level": Level, "rank": AwardRank, "role": TopicRole, "topic_status": TopicStatus}[key]
    return "、".join(str(label) for _value, label in choices.choices)
