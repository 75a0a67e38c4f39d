"""Competitions: the scoring rule, the sheet, the panel, scoring, publication into growth and the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from .conftest_competitions import *  # noqa: F403
from .conftest_competitions import DAY, TODAY, make_competition, score_all

pytestmark = pytest.mark.django_db
D = Decimal


# --- The rule, on known numbers -------------------------------------------------------


def test_final_score_drops_one_highest_and_one_lowest_of_five():
    from yanxiu.routine.competition_selectors import final_score

    totals = [D(90), D(85), D(88), D(70), D(95)]
    assert final_score(totals, drop_extremes=True) == D("87.667")  # (90 + 85 + 88) / 3
    assert final_score(totals, drop_extremes=False) == D("85.600")
    # Two judges giving the same top total: only one of them is left out.
    assert final_score([D(90), D(90), D(80), D(70)], drop_extremes=True) == D("85.000")


def test_fewer_than_three_judges_keep_every_total():
    from yanxiu.routine.competition_selectors import final_score

    assert final_score([D(90), D(80)], drop_extremes=True) == D("85.000")
    assert final_score([D(77)], drop_extremes=True) == D("77.000")
    assert final_score([], drop_extremes=True) is None


def test_judge_total_is_weighted_on_a_hundred_point_scale():
    from types import SimpleNamespace

    from yanxiu.routine.competition_selectors import judge_total

    items = [SimpleNamespace(pk=1, weight=D("0.30"), max_score=10), SimpleNamespace(pk=2, weight=D("0.70"), max_score=50)]
    # 8/10*100*0.3 + 40/50*100*0.7 = 24 + 56
    assert judge_total({1: D(8), 2: D(40)}, items) == D(80)


def test_ties_share_a_rank_and_the_next_rank_skips():
    from yanxiu.routine.competition_selectors import ranks

    assert ranks({"a": D(90), "b": D(85), "c": D(85), "d": D(80), "e": None}) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_ties_at_a_prize_boundary_all_get_the_better_prize():
    from types import SimpleNamespace

    from yanxiu.routine.competition_selectors import award_for

    c = SimpleNamespace(first_prizes=1, second_prizes=2, third_prizes=1)
    # ranks 1, 1, 3, 4, 4, 6: both firsts, the third-ranked in 二等奖 (band 2..3), both fourth in 三等奖 (band 4)
    assert [award_for(r, c) for r in (1, 1, 3, 4, 4, 6)] == ["first", "first", "second", "third", "third", ""]
    assert award_for(None, c) == ""


def test_standings_with_five_judges(contest):
    from yanxiu.routine import competition_selectors as selectors

    c = contest(judges=5, teachers=3)
    # totals = item1 + item2 (weights 0.4/40 and 0.6/60)
    score_all(c, [
        [(36, 54), (30, 50), (30, 50)],   # 90, 80, 80
        [(34, 51), (30, 50), (30, 52)],   # 85, 80, 82
        [(35, 53), (30, 50), (30, 48)],   # 88, 80, 78
        [(28, 42), (30, 50), (40, 60)],   # 70, 80, 100
        [(38, 57), (30, 50), (20, 30)],   # 95, 80, 50
    ])
    rows = {r.entry.pk: r for r in selectors.standings(c.competition)}
    a, b, e = (rows[x.pk] for x in c.entries)
    assert a.final == D("87.667") and a.rank == 1 and a.award == "first"
    assert b.final == D("80.000") and b.rank == 2 and b.award == "second"
    assert e.final == D("80.000") and e.rank == 2 and e.award == "second"  # (80 + 82 + 78) / 3 ties with b


# --- Setting up -----------------------------------------------------------------------


def test_weights_not_summing_to_one_are_refused(roles, school):
    from yanxiu.routine.models import ScoringItem
    from yanxiu.routine.services import competitions as services

    competition = make_competition(roles.school_admin, school, items=())
    with pytest.raises(ValidationError) as info:
        services.items_set(actor=roles.school_admin, competition=competition,
                           items=[{"name": "设计", "weight": "0.5", "max_score": 40}, {"name": "课堂", "weight": "0.4", "max_score": 60}])
    assert "权重之和须为 1.00" in str(info.value) and "0.90" in str(info.value)
    with pytest.raises(ValidationError, match="第 2 项的满分"):
        services.items_set(actor=roles.school_admin, competition=competition,
                           items=[{"name": "设计", "weight": "0.5", "max_score": 40}, {"name": "课堂", "weight": "0.5", "max_score": 0}])
    with pytest.raises(ValidationError, match="第 1 项的权重"):
        services.items_set(actor=roles.school_admin, competition=competition,
                           items=[{"name": "设计", "weight": "0.333", "max_score": 40}])
    assert not ScoringItem.objects.exists()


def test_the_sheet_is_fixed_once_scoring_starts(contest):
    from yanxiu.routine.services import competitions as services

    c = contest(judges=1, teachers=1)
    score_all(c, [[(30, 40)]])
    with pytest.raises(ValidationError, match="评委已开始评分"):
        services.items_set(actor=c.competition.created_by, competition=c.competition,
                           items=[{"name": "总分", "weight": "1", "max_score": 100}])


def test_only_the_schools_admin_sets_a_competition_up(roles, school, school_b):
    from yanxiu.routine.services import competitions as services

    for user in (roles.other_admin, roles.teacher, roles.bureau, roles.centre):
        with pytest.raises(PermissionDenied):
            make_competition(user, school)
    competition = make_competition(roles.school_admin, school)
    with pytest.raises(PermissionDenied):
        services.entry_add(actor=roles.other_admin, competition=competition, person=roles.teacher.person, lesson="x")


def test_create_checks_its_fields(roles, school):
    import datetime as dt

    from yanxiu.routine.services import competitions as services

    base = {"actor": roles.school_admin, "school": school, "name": "比武", "kind": "teaching", "level": "school", "date": DAY}
    with pytest.raises(ValidationError, match="比赛日期"):
        services.competition_create(**{**base, "date": dt.date(1900, 1, 1)})
    with pytest.raises(ValidationError, match="至少设一个奖项"):
        services.competition_create(**base, first_prizes=0, second_prizes=0, third_prizes=0)
    with pytest.raises(ValidationError, match="类型"):
        services.competition_create(**{**base, "kind": "nonsense"})
    services.competition_create(**base)
    with pytest.raises(ValidationError, match="已有名为"):
        services.competition_create(**base)


def test_judges_and_entrants(people, roles, school, school_b):
    from yanxiu.routine.services import competitions as services

    competition = make_competition(roles.school_admin, school)
    services.judge_add(actor=roles.school_admin, competition=competition, user=roles.centre)  # region staff
    services.judge_add(actor=roles.school_admin, competition=competition, user=roles.leader)  # school staff
    with pytest.raises(ValidationError, match="评委须是"):
        services.judge_add(actor=roles.school_admin, competition=competition, user=roles.other_teacher)
    with pytest.raises(ValidationError, match="已是本次竞赛的评委"):
        services.judge_add(actor=roles.school_admin, competition=competition, user=roles.leader)
    with pytest.raises(ValidationError, match="是本次竞赛的评委"):
        services.entry_add(actor=roles.school_admin, competition=competition, person=roles.leader.person, lesson="x")
    with pytest.raises(ValidationError, match="本校在职教师"):
        services.entry_add(actor=roles.school_admin, competition=competition, person=roles.other_teacher.person, lesson="x")
    services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person, lesson="《秋天》")
    with pytest.raises(ValidationError, match="参赛教师，不能担任评委"):
        services.judge_add(actor=roles.school_admin, competition=competition, user=roles.teacher)
    with pytest.raises(ValidationError, match="已登记参赛"):
        services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person, lesson="y")


def test_materials_are_checked_by_content(roles, school):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yanxiu.routine.models import Entry
    from yanxiu.routine.services import competitions as services

    competition = make_competition(roles.school_admin, school)
    fake = SimpleUploadedFile("课件.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="参赛材料"):
        services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person, lesson="x",
                           materials=fake)
    assert not Entry.objects.exists()
    pdf = SimpleUploadedFile("教学设计.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    entry = services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person, lesson="x",
                               materials=pdf)
    assert entry.materials_name == "教学设计.pdf" and entry.materials.name.startswith("routine/entries/")


# --- Scoring ------------------------------------------------------------------------------


def test_a_judge_scores_each_item_within_its_max(contest):
    from yanxiu.routine.models import Score
    from yanxiu.routine.services import competitions as services

    c = contest(judges=1, teachers=1)
    design, lesson = c.competition.items.order_by("position")
    judge, entry = c.judge_users[0], c.entries[0]
    with pytest.raises(ValidationError) as info:
        services.score_submit(actor=judge, entry=entry, values={design.pk: "41", lesson.pk: "50"})
    assert info.value.message_dict == {f"item_{design.pk}": ["“教学设计”的得分须在 0 到 40 之间。"]}
    with pytest.raises(ValidationError, match="请给“课堂教学”打分"):
        services.score_submit(actor=judge, entry=entry, values={design.pk: "30"})
    with pytest.raises(ValidationError, match="须是数字"):
        services.score_submit(actor=judge, entry=entry, values={design.pk: "三十", lesson.pk: "50"})
    with pytest.raises(ValidationError, match="最多两位小数"):
        services.score_submit(actor=judge, entry=entry, values={design.pk: "30.125", lesson.pk: "50"})
    assert not Score.objects.exists()
    services.score_submit(actor=judge, entry=entry, values={design.pk: "30.5", lesson.pk: "50"})
    services.score_submit(actor=judge, entry=entry, values={design.pk: "31", lesson.pk: "52"})  # changed before publication
    assert sorted(Score.objects.values_list("value", flat=True)) == [D("31.00"), D("52.00")]


def test_a_judge_of_another_competition_is_refused(contest, roles, school, people):
    from yanxiu.routine.services import competitions as services

    c = contest(judges=1, teachers=1)
    other = make_competition(roles.school_admin, school, name="课件评比", kind="courseware")
    player = people.teacher(school, name="选手X")
    other_entry = services.entry_add(actor=roles.school_admin, competition=other, person=player.person, lesson="课件")
    items = {i.pk: "10" for i in other.items.all()}
    with pytest.raises(PermissionDenied, match="不是该竞赛的评委"):
        services.score_submit(actor=c.judge_users[0], entry=other_entry, values=items)
    # Nor may a judge use the items of another competition on their own.
    with pytest.raises(ValidationError, match="不属于本次竞赛"):
        services.score_submit(actor=c.judge_users[0], entry=c.entries[0], values=items)
    with pytest.raises(PermissionDenied):
        services.score_submit(actor=roles.school_admin, entry=c.entries[0], values={})


# --- Publication ---------------------------------------------------------------------------


def test_publishing_is_blocked_while_scores_are_missing(contest):
    from yanxiu.routine.models import Competition
    from yanxiu.routine.services import competitions as services

    c = contest(judges=2, teachers=2)
    score_all(c, [[(30, 50), (30, 50)]])  # the second judge has not scored
    with pytest.raises(ValidationError) as info:
        services.competition_publish(actor=c.competition.created_by, competition=c.competition, today=TODAY)
    text = " ".join(info.value.messages)
    assert "评委2 尚未评分：选手1、选手2" in text and "评委1" not in text
    assert Competition.objects.get().status == "open"


def test_judge_progress_reuses_the_missing_scores_it_is_given(contest, django_assert_num_queries):
    from yanxiu.routine import competition_selectors as selectors

    c = contest(judges=2, teachers=2)
    score_all(c, [[(30, 50), (30, 50)]])  # the second judge has not scored
    missing = selectors.missing_scores(c.competition)
    progress = selectors.judge_progress(c.competition, missing)
    assert [(j.name, done, total) for j, done, total in progress] == [("评委1", 2, 2), ("评委2", 0, 2)]
    assert progress == selectors.judge_progress(c.competition)
    with django_assert_num_queries(2):  # the entry count and the panel, not the scores again
        selectors.judge_progress(c.competition, missing)


def test_publishing_writes_ranks_awards_growth_records_and_credit(contest, award_policy, roles):
    from yanxiu.core.models import AuditEvent
    from yanxiu.credits.models import CreditEntry
    from yanxiu.growth.models import GrowthRecord
    from yanxiu.routine.models import Entry
    from yanxiu.routine.services import competitions as services

    c = contest(judges=3, teachers=4)
    score_all(c, [
        [(36, 54), (30, 50), (30, 50), (20, 30)],  # 90, 80, 80, 50
        [(34, 51), (30, 50), (30, 50), (20, 30)],  # 85, 80, 80, 50
        [(35, 53), (30, 50), (30, 50), (20, 30)],  # 88, 80, 80, 50
    ])
    competition, notes = services.competition_publish(actor=roles.school_admin, competition=c.competition, today=TODAY)
    assert competition.status == "published" and competition.published_at and notes == []
    first, second_a, second_b, fourth = (Entry.objects.get(pk=e.pk) for e in c.entries)
    assert (first.rank, first.award, first.final_score) == (1, "first", D("88.000"))
    assert (second_a.rank, second_a.award) == (2, "second") and (second_b.rank, second_b.award) == (2, "second")
    assert (fourth.rank, fourth.award, fourth.growth_record) == (4, "", None)  # 三等奖 band is rank 3 only
    record = GrowthRecord.objects.get(pk=first.growth_record_id)
    assert (record.kind, record.status, record.level, record.rank, record.date) == ("award", "accepted", "school", "first", DAY)
    assert record.title == "青年教师教学比武：课题1" and record.venue == "长沙县星沙第一小学"
    assert record.person_id == c.teachers[0].person.pk
    assert GrowthRecord.objects.filter(kind="award").count() == 3
    credit = CreditEntry.objects.get(pk=record.credit_entry_id)
    assert credit.person_id == record.person_id and credit.hours == D("4")
    assert AuditEvent.objects.filter(action="routine.competition_publish").count() == 1
    with pytest.raises(ValidationError, match="已公布"):
        services.score_submit(actor=c.judge_users[0], entry=c.entries[0],
                              values={i.pk: "1" for i in competition.items.all()})
    with pytest.raises(ValidationError, match="已公布"):
        services.competition_publish(actor=roles.school_admin, competition=competition, today=TODAY)


def test_without_a_policy_the_award_is_recorded_and_the_reason_noted(contest, roles):
    from yanxiu.growth.models import GrowthRecord
    from yanxiu.routine.services import competitions as services

    c = contest(judges=1, teachers=1)
    score_all(c, [[(30, 50)]])
    _competition, notes = services.competition_publish(actor=roles.school_admin, competition=c.competition, today=TODAY)
    record = GrowthRecord.objects.get()
    assert record.status == "accepted" and record.credit_entry_id is None
    assert len(notes) == 1 and "选手1 的获奖已写入成长记录，未计学时" in notes[0]


def test_a_competition_not_yet_held_is_not_published(contest, roles):
    import datetime as dt

    from yanxiu.routine.services import competitions as services

    c = contest(judges=1, teachers=1)
    score_all(c, [[(30, 50)]])
    with pytest.raises(ValidationError, match="还没到"):
        services.competition_publish(actor=roles.school_admin, competition=c.competition, today=DAY - dt.timedelta(days=1))


def test_a_judge_or_an_entry_is_taken_off_before_publication(contest, roles):
    from yanxiu.core.models import AuditEvent
    from yanxiu.routine.models import Entry, Judge, Score
    from yanxiu.routine.services import competitions as services

    c = contest(judges=2, teachers=2)
    score_all(c, [[(30, 50), (30, 50)]])  # the second judge cannot come
    with pytest.raises(PermissionDenied):
        services.judge_remove(actor=roles.other_admin, judge=c.judges[0])
    services.judge_remove(actor=roles.school_admin, judge=c.judges[1])
    services.entry_remove(actor=roles.school_admin, entry=c.entries[1])
    assert list(Judge.objects.values_list("pk", flat=True)) == [c.judges[0].pk]
    assert list(Entry.objects.values_list("pk", flat=True)) == [c.entries[0].pk]
    assert Score.objects.count() == 2
    steps = list(AuditEvent.objects.filter(action="routine.competition_setup").values_list("detail__step", flat=True))
    assert "judge_remove" in steps and "entry_remove" in steps
    competition, _notes = services.competition_publish(actor=roles.school_admin, competition=c.competition, today=TODAY)
    assert competition.status == "published"
    with pytest.raises(ValidationError, match="已公布"):
        services.judge_remove(actor=roles.school_admin, judge=c.judges[0])
