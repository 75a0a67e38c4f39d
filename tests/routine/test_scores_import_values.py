"""The cells and headers of a score sheet: classes, scores, exam kinds and headers of one or two rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yanxiu.routine.choices import ExamKind, ScoreStatus
from yanxiu.routine.importing import guess_kind
from yanxiu.routine.importing.read import Layout, find_layout
from yanxiu.routine.importing.values import BadValue, chinese_number, parse_class, parse_grade, parse_score

HUNDRED = Decimal("100")


@pytest.mark.parametrize(("text", "expected"), [
    ("三（2）班", (3, 2)), ("三(2)", (3, 2)), ("3(2)班", (3, 2)), ("3.2", (3, 2)), (3.2, (3, 2)), ("3-2", (3, 2)),
    ("３－２", (3, 2)), ("３．２", (3, 2)), ("三年级二班", (3, 2)), ("三年级2班", (3, 2)), ("三年二班", (3, 2)),
    ("三年级（2）班", (3, 2)), (" 三 （ 2 ） 班 ", (3, 2)), ("3.10", (3, 10)), ("七年级十二班", (7, 12)),
    ("六年级二十三班", (6, 23)), ("初一(3)班", (7, 3)), ("高二（1）班", (11, 1)), ("初二5班", (8, 5)), ("一年级一班", (1, 1)),
])
def test_parse_class_reads_every_usual_form(text, expected):
    assert parse_class(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("302", "无法分辨年级和班"), (302, "无法分辨年级和班"), ("2班", "无法识别"), ("三班", "无法识别"), ("", "不能为空"),
    ("十三(1)班", "年级须在 1 到 12"), ("三(0)班", "班号须在 1 到 99"), ("三(100)班", "无法识别"), (3.1, "1 班还是 10 班"),
    ("三年级", "无法识别"), ("A班", "无法识别"), ("三" * 30, "过长"), (3.123, "无法识别"),
])
def test_parse_class_refuses_what_it_cannot_read(text, words):
    with pytest.raises(BadValue, match=words):
        parse_class(text)


def test_a_date_cell_is_not_a_class():
    import datetime as dt

    with pytest.raises(BadValue, match="日期格式"):
        parse_class(dt.datetime(2025, 3, 2))


def test_with_a_grade_column_the_class_may_be_its_number_only():
    assert parse_class("2班", grade=3) == (3, 2)
    assert parse_class(2, grade=3) == (3, 2)
    assert parse_class("（2）班", grade=3) == (3, 2)
    assert parse_class("三(2)班", grade=3) == (3, 2)
    with pytest.raises(BadValue, match="不一致"):
        parse_class("四(2)班", grade=3)
    assert parse_grade("三年级") == 3 and parse_grade(5) == 5 and parse_grade("初一") == 7
    with pytest.raises(BadValue):
        parse_grade("十三年级")


def test_chinese_numbers():
    assert [chinese_number(t) for t in ("一", "十", "十一", "二十", "九十九", "两", "12")] == [1, 10, 11, 20, 99, 2, 12]
    assert [chinese_number(t) for t in ("", "一二", "十十", "百", "一百")] == [None] * 5


@pytest.mark.parametrize(("value", "expected"), [
    (95, (ScoreStatus.SCORED, Decimal("95"))), (89.5, (ScoreStatus.SCORED, Decimal("89.5"))),
    ("89.5", (ScoreStatus.SCORED, Decimal("89.5"))), ("８９．５", (ScoreStatus.SCORED, Decimal("89.5"))),
    ("90分", (ScoreStatus.SCORED, Decimal("90"))), (0, (ScoreStatus.SCORED, Decimal("0"))), (100, (ScoreStatus.SCORED, HUNDRED)),
    (89.49999999999, (ScoreStatus.SCORED, Decimal("89.5"))),
    ("缺考", (ScoreStatus.ABSENT, None)), ("免考", (ScoreStatus.EXEMPT, None)), ("请假", (ScoreStatus.LEAVE, None)),
    ("病假", (ScoreStatus.LEAVE, None)), ("", (ScoreStatus.EMPTY, None)), (None, (ScoreStatus.EMPTY, None)),
    ("/", (ScoreStatus.EMPTY, None)), ("  ", (ScoreStatus.EMPTY, None)),
])
def test_parse_score(value, expected):
    assert parse_score(value, full_marks=HUNDRED) == expected


@pytest.mark.parametrize(("value", "words"), [
    (100.5, "超过满分 100"), (-1, "不能小于 0"), ("八十", "须写成数字"), ("八十五分", "须写成数字"), (89.25, "一位小数"),
    ("优", "无法识别"), ("90+5", "无法识别"), (True, "须是数字"), (float("inf"), "无法识别"), (float("nan"), "无法识别"),
    ("1e5", "无法识别"), (10**30, "不合理"),
])
def test_parse_score_refuses(value, words):
    with pytest.raises(BadValue, match=words):
        parse_score(value, full_marks=HUNDRED)


def test_full_marks_other_than_100():
    assert parse_score(118, full_marks=Decimal("120")) == (ScoreStatus.SCORED, Decimal("118"))
    with pytest.raises(BadValue, match="超过满分 120"):
        parse_score(121, full_marks=Decimal("120"))


@pytest.mark.parametrize(("name", "kind"), [
    ("2025年秋季期末质量监测", ExamKind.FINAL), ("期中考试", ExamKind.MIDTERM), ("十月月考", ExamKind.MONTHLY),
    ("第三单元检测", ExamKind.MONTHLY), ("三月份质量监测", ExamKind.MONTHLY), ("质量监测", None), ("期中期末", None),
])
def test_the_kind_comes_from_the_name(name, kind):
    assert guess_kind(name) == kind


def test_a_two_row_header_with_subjects_merged_over_score_and_rank():
    head = [["某某小学成绩表", "", "", "", "", ""], ["班级", "姓名", "语文", "", "数学", ""],
            ["", "", "成绩", "名次", "成绩", "名次"], ["三(1)班", "张三", 90, 1, 80, 2]]
    layout = find_layout(head)
    assert isinstance(layout, Layout) and layout.row == 3
    assert layout.index == {"class": 0, "name": 1} and [(s, p) for s, p, _t in layout.subjects] == [("语文", 2), ("数学", 4)]
    assert layout.ignored == ["语文·名次", "数学·名次"]


def test_a_two_row_header_with_score_merged_over_the_subjects():
    head = [["班级", "姓名", "成绩", "", ""], ["", "", "语文", "数学", "英语"], ["三(1)班", "张三", 90, 1, 80]]
    layout = find_layout(head)
    assert layout.row == 2 and [s for s, _p, _t in layout.subjects] == ["语文", "数学", "英语"]


def test_a_one_row_header_with_notes_aliases_and_other_columns():
    head = [["序号", "班别", "学生姓名", "语文成绩", "数学(100分)", "道法", "总分"], ["1", "三(1)班", "张三", 90, 1, 80, 171]]
    layout = find_layout(head)
    assert layout.row == 1 and layout.index == {"class": 1, "name": 2}
    assert [(s, t) for s, _p, t in layout.subjects] == [("语文", "语文成绩"), ("数学", "数学(100分)"), ("道德与法治", "道法")]
    assert layout.ignored == ["序号", "总分"]


def test_header_problems_are_named():
    missing = find_layout([["序号", "姓名", "语文"], ["1", "张三", 90]])
    assert not isinstance(missing, Layout) and missing.column == "班级" and "缺少“班级”列" in missing.message
    no_name = find_layout([["班级", "语文"], ["三(1)班", 90]])
    assert no_name.column == "姓名" and "缺少必需的列" in no_name.message
    no_subject = find_layout([["班级", "姓名", "总分"]])
    assert "没有学科列" in no_subject.message and no_subject.row == 1
    twice = find_layout([["班级", "姓名", "语文", "语文成绩"]])
    assert "同一项" in twice.message
    nothing = find_layout([["成绩表"], ["a", "b"]])
    assert "没有找到表头行" in nothing.message
    many = find_layout([["班级", "姓名", *(["语文"] * 1)] + [f"科目{i}" for i in range(30)]])
    assert isinstance(many, Layout)  # unknown headers are only left out
