"""The task lists of the seed documents, shipped as presets named after their seed.

A school adopts a preset (:func:`yanxiu.growth.services.template_adopt`),
which copies it into a :class:`~yanxiu.growth.models.TaskTemplate` of its
own that it may then edit. Each item: (kind, label, target, per[, also_counts]).
"""

from __future__ import annotations

from .choices import DerivedKind as D
from .choices import Period as P
from .choices import RecordKind as K

PRESETS: list[dict] = [
    {
        "key": "001-1-backbone",
        "name": "骨干教师“五个一”",
        "source": "seeds/001 篇1：骨干教师每学年完成“五个一”，每学期听课不少于20节",
        "tier": "backbone",
        "period": "year",
        "items": [
            (K.RESEARCH_TOPIC, "主持或参与一项课题研究", 1, P.YEAR),
            (K.PUBLIC_LESSON, "上一节公开课（展示活动）", 1, P.YEAR, [K.RESEARCH_LESSON]),
            (K.ARTICLE, "发表一篇文章", 1, P.YEAR),
            (K.LECTURE, "开一次讲座", 1, P.YEAR),
            (D.APPRENTICE, "带一名徒弟", 1, P.YEAR),
            (K.OBSERVATION, "每学期听课不少于 20 节", 20, P.TERM),
        ],
    },
    {
        "key": "001-1-young",
        "name": "青年教师“六个一”",
        "source": "seeds/001 篇1：青年教师每学年完成“六个一”，每学期听课不少于17节",
        "tier": "young",
        "period": "year",
        "items": [
            (K.PUBLIC_LESSON, "上一节汇报课", 1, P.YEAR, [K.RESEARCH_LESSON]),
            (K.CASE, "写一篇教学案例", 1, P.YEAR),
            (K.READING_NOTE, "读一本教育专著并写读书笔记", 1, P.YEAR),
            (K.ARTICLE, "写一篇教学论文", 1, P.YEAR),
            (K.TEST_PAPER, "命制一份试卷", 1, P.YEAR),
            (D.GOAL, "制订一份个人发展目标", 1, P.YEAR),
            (K.OBSERVATION, "每学期听课不少于 17 节", 17, P.TERM),
        ],
    },
    {
        "key": "001-1-mature",
        "name": "成熟教师“四个一”",
        "source": "seeds/001 篇1：成熟教师每学年完成“四个一”，每学期听课不少于16节",
        "tier": "mature",
        "period": "year",
        "items": [
            (K.PUBLIC_LESSON, "上一节示范课", 1, P.YEAR, [K.RESEARCH_LESSON]),
            (K.ARTICLE, "写一篇论文或经验总结", 1, P.YEAR),
            (K.LECTURE, "作一次专题发言", 1, P.YEAR),
            (K.CASE, "写一篇教学案例", 1, P.YEAR),
            (K.OBSERVATION, "每学期听课不少于 16 节", 16, P.TERM),
        ],
    },
    {
        "key": "001-2",
        "name": "“三个一”",
        "source": "seeds/001 篇2：每学期上一节课、每月上传一篇文章，40 岁以下参加一项课题研究",
        "tier": "young",
        "period": "term",
        "items": [
            (K.PUBLIC_LESSON, "每学期上一节研讨课", 1, P.TERM, [K.RESEARCH_LESSON]),
            (K.ARTICLE, "每月上传一篇文章", 1, P.MONTH, [K.CASE, K.READING_NOTE]),
            (K.RESEARCH_TOPIC, "参加一项课题研究", 1, P.TERM),
        ],
    },
    {
        "key": "001-7",
        "name": "“八个一”",
        "source": "seeds/001 篇7：每学期一个案例或每月一个问题、一节研究课、一份试卷，两周一篇读书笔记，"
        "一个研究主题，每周至少听课一节，一本理论书籍，一个自我发展目标",
        "tier": "mature",
        "period": "term",
        "items": [
            (K.CASE, "每学期一个教学案例（或每月一个教学问题）", 1, P.TERM, [K.QUESTION]),
            (K.RESEARCH_LESSON, "每学期一节研究课", 1, P.TERM),
            (K.TEST_PAPER, "每学期一份试卷", 1, P.TERM),
            (K.READING_NOTE, "每两周一篇读书笔记", 1, P.FORTNIGHT),
            (K.RESEARCH_TOPIC, "每学期一个研究主题", 1, P.TERM),
            (K.OBSERVATION, "每周至少听课一节", 1, P.WEEK),
            (K.THEORY_BOOK, "每学期读一本理论书籍", 1, P.TERM),
            (D.GOAL, "每学期一个自我发展目标", 1, P.TERM),
        ],
    },
    {
        "key": "leaders",
        "name": "学校领导听课要求",
        "source": "seeds/004 篇4、001 篇7：学校领导每周听课两节，与教师的听课要求分开考核",
        "tier": "",
        "for_leaders": True,
        "period": "term",
        "items": [
            (K.OBSERVATION, "每周听课两节", 2, P.WEEK),
        ],
    },
]

PRESETS_BY_KEY = {p["key"]: p for p in PRESETS}


def item_fields(item: tuple) -> dict:
    kind, label, target, per, *rest = item
    return {"kind": str(kind), "label": label, "target": target, "per": str(per), "also_counts": [str(k) for k in (rest[0] if rest else [])]}
