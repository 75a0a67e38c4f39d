"""The requirement sets read from the seed documents, as data.

Each preset names the seed it comes from; ``yanxiu load_policy_presets``
writes them (idempotently) and a region adopts one by copying it.
"""

import re
from decimal import Decimal as D

#: "seeds/001 篇3：" — the id of a seed file (and the piece in it) in front of its title.
_SEED_ID = re.compile(r"^\s*seeds/[\w.-]+(?:\s*篇\s*\d+)?\s*[：:]\s*")


def source_title(source: str) -> str:
    """A policy's source for pages: the seed's title in 《》 and its note, never the file id.

    ``seeds/000：校本培训工作总结（每位教师…）`` → ``《校本培训工作总结》（每位教师…）``.
    """
    text = _SEED_ID.sub("", source or "", count=1).strip()
    if not text or text.startswith("《") or text == (source or "").strip():
        return text
    title, sep, rest = text.partition("（")
    return f"《{title.strip()}》{sep}{rest}"

EXCLUDED_001 = ["一般的工作例会", "工作例会", "政治学习", "外出休养"]

PRESETS = [
    {
        "preset_key": "000",
        "name": "每学年 48 学时，校本不少于 24 学时",
        "source": "seeds/000：校本培训工作总结（每位教师每学年必须取得48学时，其中校本培训不少于24学时）",
        "unit": "hour",
        "total_min": D("48"),
        "long_cycle_exempts_school_based": True,
        "below_min_blocks_excellent": True,
        "unexcused_absence_fails": True,
        "note": "被教育行政部门、教师培训部门派出长周期培训的教师免校本培训部分；学年内累计不足48学时或校本不足24学时者，"
        "当年年度考核、高级教师履职考核不能评为优秀；无正当理由不参加学习培训的，年度考核为不合格。",
        "kind_rules": [("school_based", D("24"), D("1"))],
        "category_rules": [],
        "activity_caps": [
            ("public_lesson", D("2"), D("4"), "school_based"),
            ("award", D("4"), D("8"), "school_based"),
            ("mentor_pair", D("4"), D("4"), "school_based"),
        ],
        "excluded_activities": [],
    },
    {
        "preset_key": "001-3",
        "name": "每学年 48 学分：集中 16 + 网络 8 + 校本 24",
        "source": "seeds/001 篇3：区教师培训工作计划（集中培训16学分，网络培训8学分，校本研训24学分）",
        "unit": "credit",
        "total_min": D("48"),
        "below_min_blocks_excellent": True,
        "unexcused_absence_fails": False,
        "note": "一般的工作例会、政治学习、外出休养活动等不能视为校本研训的内容。",
        "kind_rules": [
            ("centralised", D("16"), D("1")),
            ("online", D("8"), D("1")),
            ("school_based", D("24"), D("1")),
        ],
        "category_rules": [],
        "activity_caps": [
            ("public_lesson", D("2"), D("6"), "school_based"),
            ("award", D("3"), D("6"), "school_based"),
        ],
        "excluded_activities": EXCLUDED_001,
    },
    {
        "preset_key": "002",
        "name": "全体干部、教师每年 24 学时校本培训",
        "source": "seeds/002：关于加强中小学校本培训的指导意见（所有培训对象每年完成24学时校本培训）",
        "unit": "hour",
        "total_min": D("24"),
        "below_min_blocks_excellent": False,
        "unexcused_absence_fails": False,
        "note": "全区中小学（幼儿园）全体干部、教师、教学辅助人员、管理人员；记入继续教育证书。",
        "kind_rules": [("school_based", D("24"), D("1"))],
        "category_rules": [],
        "activity_caps": [],
        "excluded_activities": [],
    },
]
