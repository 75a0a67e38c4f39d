"""Questionnaires: building, validating, answering (named and anonymous), results, response rates, export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yanxiu.core.models import AuditEvent
from yanxiu.needs import questionnaires as logic
from yanxiu.needs import selectors
from yanxiu.needs.models import Answer, Audience, Question, Questionnaire, Respondent, Response
from yanxiu.needs.services import questionnaires as services
from yanxiu.training.models import ContentCategory, SchoolPlan, school_year_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = school_year_of(TODAY)


@pytest.fixture
def categories(county, other_county):
    return {
        "ethics": ContentCategory.objects.create(region=county, code="A01", name="师德师风", compulsory=True),
        "digital": ContentCategory.objects.create(region=county, code="A02", name="信息技术应用"),
        "reading": ContentCategory.objects.create(region=None, code="N01", name="整本书阅读"),
        "far": ContentCategory.objects.create(region=other_county, code="F01", name="外县课程"),
    }


def _needs(roles, school, **settings):
    q = services.questionnaire_create(actor=roles.school_admin, purpose="needs", school=school)
    if settings:
        base = {"title": q.title, "intro": "", "anonymous": False, "audience": Audience.ALL, "groups": [],
                "opens_on": q.opens_on, "closes_on": q.closes_on}
        q = services.questionnaire_update(actor=roles.school_admin, questionnaire=q, **{**base, **settings})
    return q


def _other(actor, *, school=None, county=None, anonymous=False, questions=(), audience=Audience.ALL, groups=()):
    """A published "other" questionnaire with the given questions (dicts of question_save fields)."""
    q = services.questionnaire_create(actor=actor, purpose="other", title="课堂观察问卷", school=school, county=county)
    services.questionnaire_update(actor=actor, questionnaire=q, title=q.title, anonymous=anonymous, audience=audience,
                                  groups=list(groups), opens_on=TODAY, closes_on=TODAY + dt.timedelta(days=5))
    for fields in questions:
        services.question_save(actor=actor, questionnaire=q, **fields)
    return services.questionnaire_publish(actor=actor, questionnaire=q)


def _ids(q):
    """{question key or text: question} and {option label: option id as text}."""
    questions = {(x.key or x.text): x for x in logic.questions_of(q)}
    options = {o.label: str(o.pk) for x in questions.values() for o in x.option_list}
    return questions, options


SINGLE = {"kind": "single", "text": "您的教龄", "options": ["5 年以下", "5-15 年", "15 年以上"]}
MULTI = {"kind": "multiple", "text": "希望观察的环节", "options": ["导入", "提问", "小结", "作业"], "min_picks": 2, "max_picks": 3,
         "required": True}
SCALE = {"kind": "scale", "text": "总体满意度", "scale_points": 4, "low_label": "不满意", "high_label": "满意"}
TEXT = {"kind": "text", "text": "建议", "max_length": 10, "required": False}


# --- Default templates ---------------------------------------------------------


def test_a_needs_survey_and_a_session_evaluation_start_from_the_old_questions(roles, school, categories):
    from yanxiu.needs.forms import ResponseForm
    from yanxiu.needs.models import PreferredTime
    from yanxiu.training.forms import EvaluationForm
    from yanxiu.training.models import TrainingKind

    q = _needs(roles, school)
    assert q.status == "draft" and q.school_year == YEAR and q.purpose == "needs" and "培训需求调研" in q.title
    questions = logic.questions_of(q)
    old = ResponseForm.base_fields
    assert [(x.kind, x.text, x.required) for x in questions] == [
        ("multiple", str(old["categories"].label), False), ("multiple", str(old["kinds"].label), False),
        ("multiple", str(old["times"].label), False), ("text", str(old["suggestion"].label), False)]
    assert [o.label for o in questions[0].option_list] == ["★师德师风", "信息技术应用", "整本书阅读"]  # the region's, not 外县课程
    assert [o.category_id for o in questions[0].option_list] == [categories[k].pk for k in ("ethics", "digital", "reading")]
    assert [o.label for o in questions[1].option_list] == [str(label) for _v, label in TrainingKind.choices]
    assert [o.value for o in questions[2].option_list] == list(PreferredTime.values)
    assert questions[3].max_length == 1000
    assert AuditEvent.objects.filter(action="questionnaire.create", target_id=str(q.pk), school_id=school.pk).exists()

    from yanxiu.needs.defaults import evaluation_questions

    scores = evaluation_questions()
    fields = EvaluationForm.base_fields
    assert [(s.kind, s.text, s.scale_points) for s in scores] == [
        ("scale", str(fields["content_score"].label), 5), ("scale", str(fields["presenter_score"].label), 5),
        ("scale", str(fields["organisation_score"].label), 5), ("text", str(fields["comment"].label), None)]
    with pytest.raises(ValidationError, match="活动页面"):
        services.questionnaire_create(actor=roles.school_admin, purpose="evaluation", school=school)
    with pytest.raises(PermissionDenied):
        services.questionnaire_create(actor=roles.other_admin, purpose="needs", school=school)


# --- Builder -------------------------------------------------------------------


def test_the_builder_adds_edits_orders_and_deletes_questions_while_a_draft(roles, school):
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", school=school)
    assert services.publish_problems(q) == ["问卷还没有题目。"]
    first = services.question_save(actor=roles.school_admin, questionnaire=q, **SINGLE)
    second = services.question_save(actor=roles.school_admin, questionnaire=q, **SCALE)
    third = services.question_save(actor=roles.school_admin, questionnaire=q, **TEXT)
    assert [x.text for x in logic.questions_of(q)] == ["您的教龄", "总体满意度", "建议"]
    services.question_move(actor=roles.school_admin, question=third, direction="up")
    assert [x.text for x in logic.questions_of(q)] == ["您的教龄", "建议", "总体满意度"]
    with pytest.raises(ValidationError, match="已经是第一题"):
        services.question_move(actor=roles.school_admin, question=first, direction="up")
    with pytest.raises(ValidationError, match="移动方向无效"):
        services.question_move(actor=roles.school_admin, question=first, direction="sideways")
    kept = first.options.get(label="5-15 年").pk
    services.question_save(actor=roles.school_admin, questionnaire=q, question=first,
                           **{**SINGLE, "options": ["5-15 年", "20 年以上", "5 年以下"]})
    assert [o.label for o in logic.questions_of(q)[0].option_list] == ["5-15 年", "20 年以上", "5 年以下"]
    assert first.options.get(label="5-15 年").pk == kept  # a kept option keeps its id (and answers)
    services.question_delete(actor=roles.school_admin, question=second)
    assert [(x.position, x.text) for x in logic.questions_of(q)] == [(1, "您的教龄"), (2, "建议")]
    assert AuditEvent.objects.filter(action="questionnaire.question", target_id=str(q.pk)).count() == 6
    with pytest.raises(PermissionDenied):
        services.question_save(actor=roles.other_admin, questionnaire=q, **SINGLE)
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    with pytest.raises(ValidationError, match="已发布"):
        services.question_save(actor=roles.school_admin, questionnaire=q, **TEXT)
    with pytest.raises(ValidationError, match="已发布"):
        services.question_delete(actor=roles.school_admin, question=third)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": "single", "text": "x", "options": ["只有一个"]}, "options", "至少需要两个选项"),
    ({"kind": "single", "text": "x", "options": ["甲", "甲"]}, "options", "不能重复"),
    ({"kind": "multiple", "text": "x", "options": ["甲", "乙"], "min_picks": 3}, "min_picks", "不能多于选项数"),
    ({"kind": "multiple", "text": "x", "options": ["甲", "乙", "丙"], "min_picks": 3, "max_picks": 2}, "max_picks", "不能少于"),
    ({"kind": "multiple", "text": "x", "options": ["甲", "乙"], "max_picks": 5}, "max_picks", "1 到选项数"),
    ({"kind": "scale", "text": "x", "scale_points": 11}, "scale_points", "2 到 10"),
    ({"kind": "scale", "text": "x", "scale_points": 1}, "scale_points", "2 到 10"),
    ({"kind": "scale", "text": "x", "scale_points": "很多"}, "scale_points", "须为整数"),
    ({"kind": "text", "text": "x", "max_length": 5000}, "max_length", "1 到 2000"),
    ({"kind": "text", "text": "  "}, "text", "请填写题目"),
    ({"kind": "essay", "text": "x"}, "kind", "题型无效"),
])
def test_a_question_that_cannot_be_asked_is_refused_with_its_field(roles, school, fields, field, message):
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", school=school)
    with pytest.raises(ValidationError) as exc:
        services.question_save(actor=roles.school_admin, questionnaire=q, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Question.objects.filter(questionnaire=q).exists()


def test_settings_and_publishing_are_checked(roles, school, school_b, group):
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", school=school)
    base = {"title": "问卷", "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=3)}
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_update(actor=roles.school_admin, questionnaire=q, **{**base, "title": " ", "audience": "groups",
                                                                                    "closes_on": TODAY - dt.timedelta(days=1)})
    errors = exc.value.message_dict
    assert errors["title"] == ["请填写问卷标题。"] and errors["groups"] == ["请至少选择一个教研组。"]
    assert errors["closes_on"] == ["截止日期不能早于开始日期。"]
    from yanxiu.org.models import Group

    foreign = Group.objects.create(school=school_b, name="数学组")
    with pytest.raises(ValidationError, match="本校的教研组"):
        services.questionnaire_update(actor=roles.school_admin, questionnaire=q, audience="groups", groups=[foreign], **base)
    with pytest.raises(ValidationError, match="参加活动"):
        services.questionnaire_update(actor=roles.school_admin, questionnaire=q, audience="attended", **base)
    with pytest.raises(ValidationError, match="还没有题目"):
        services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    services.question_save(actor=roles.school_admin, questionnaire=q, **SINGLE)
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    with pytest.raises(ValidationError, match="已发布"):
        services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    services.questionnaire_close(actor=roles.school_admin, questionnaire=q)
    with pytest.raises(ValidationError, match="只有进行中"):
        services.questionnaire_close(actor=roles.school_admin, questionnaire=q)


# --- Answering -------------------------------------------------------------------


def test_answers_are_validated_per_question_and_may_be_changed_until_closing(roles, school):
    q = _other(roles.school_admin, school=school, questions=[SINGLE, MULTI, SCALE, TEXT])
    questions, options = _ids(q)
    single, multi, scale, text = (questions[k] for k in ("您的教龄", "希望观察的环节", "总体满意度", "建议"))

    def answer(actor=roles.teacher, **values):
        raw = {single.pk: options["5 年以下"], multi.pk: [options["导入"], options["提问"]], scale.pk: "3", text.pk: ""}
        raw.update({int(k[1:]): v for k, v in values.items()})
        return services.questionnaire_respond(actor=actor, questionnaire=q, answers=raw)

    cases = [
        ({f"q{single.pk}": ""}, single, "第 1 题为必答题，请选择。"),
        ({f"q{single.pk}": [options["5 年以下"], options["5-15 年"]]}, single, "第 1 题：只能选一项。"),
        ({f"q{single.pk}": options["导入"]}, single, "第 1 题：所选选项不在本题中。"),
        ({f"q{single.pk}": "junk"}, single, "第 1 题：所选选项不在本题中。"),
        ({f"q{multi.pk}": [options["导入"]]}, multi, "第 2 题：至少选 2 项（现选 1 项）。"),
        ({f"q{multi.pk}": [options[x] for x in ("导入", "提问", "小结", "作业")]}, multi, "第 2 题：至多选 3 项（现选 4 项）。"),
        ({f"q{scale.pk}": "0"}, scale, "第 3 题：分数须在 1 到 4 之间。"),
        ({f"q{scale.pk}": "5"}, scale, "第 3 题：分数须在 1 到 4 之间。"),
        ({f"q{scale.pk}": "十"}, scale, "第 3 题：分数须在 1 到 4 之间。"),
        ({f"q{scale.pk}": ""}, scale, "第 3 题为必答题，请打分。"),
        ({f"q{text.pk}": "长" * 11}, text, "第 4 题：不能超过 10 字（现为 11 字）。"),
    ]
    for values, question, message in cases:
        with pytest.raises(ValidationError) as exc:
            answer(**values)
        assert exc.value.message_dict == {f"q{question.pk}": [message]}, values
    assert not Response.objects.exists() and not Respondent.objects.exists()

    first = answer(**{f"q{text.pk}": "多听课"})
    again = answer(**{f"q{scale.pk}": "4", f"q{text.pk}": ""})
    assert first.pk == again.pk and Response.objects.count() == 1 and Respondent.objects.count() == 1
    assert again.person_id == roles.teacher.person.pk  # named
    assert sorted(Answer.objects.filter(question=scale).values_list("number", flat=True)) == [4]
    assert not Answer.objects.filter(question=text).exists()
    assert logic.own_answers(q, roles.teacher.person.pk)[scale.pk] == "4"
    assert AuditEvent.objects.get(action="questionnaire.respond").detail == {"answers": 5}  # named: the rows are counted
    assert AuditEvent.objects.get(action="questionnaire.respond.update").detail == {"answers": 4}
    with pytest.raises(PermissionDenied, match="填写对象"):
        answer(actor=roles.other_teacher)  # another school's teacher
    with pytest.raises(PermissionDenied):
        answer(actor=roles.bureau)  # no teacher file
    services.questionnaire_close(actor=roles.school_admin, questionnaire=q)
    with pytest.raises(ValidationError, match="截止"):
        answer(actor=roles.member)


def test_a_group_questionnaire_asks_only_the_groups_members(roles, school, group):
    q = _other(roles.school_admin, school=school, questions=[SINGLE], audience=Audience.GROUPS, groups=[group])
    _questions, options = _ids(q)
    assert set(logic.audience_people(q).values_list("pk", flat=True)) == {roles.member.person.pk, roles.leader.person.pk}
    services.questionnaire_respond(actor=roles.member, questionnaire=q, answers={f"q{_questions['您的教龄'].pk}": options["5 年以下"]})
    with pytest.raises(PermissionDenied):
        services.questionnaire_respond(actor=roles.teacher, questionnaire=q,
                                       answers={f"q{_questions['您的教龄'].pk}": options["5 年以下"]})
    assert [x.pk for x in logic.open_questionnaires_for(roles.member.person.pk)] == [q.pk]
    assert logic.open_questionnaires_for(roles.teacher.person.pk) == []
    assert logic.to_answer_count(roles.leader.person.pk) == 1 and logic.to_answer_count(roles.member.person.pk) == 0


# --- Anonymity -----------------------------------------------------------------------


def test_an_anonymous_answer_cannot_be_linked_back_to_its_person(client, roles, school):
    q = _other(roles.school_admin, school=school, anonymous=True, questions=[SINGLE, {**TEXT, "max_length": 100}])
    questions, options = _ids(q)
    secret = "甲乙丙丁独有的回答"
    response = services.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={
        f"q{questions['您的教龄'].pk}": options["15 年以上"], f"q{questions['建议'].pk}": secret})
    services.questionnaire_respond(actor=roles.member, questionnaire=q, answers={f"q{questions['您的教龄'].pk}": options["5 年以下"]})
    teacher = roles.teacher.person

    # Stored: the sheet has no person, school or time; who answered is apart, for the response rate.
    sheet = Response.objects.get(pk=response.pk)
    import hashlib

    unkeyed = {hashlib.sha256(f"needs.response:{q.pk}:{pid}".encode()).hexdigest() for pid in (teacher.pk, roles.member.person.pk)}
    assert sheet.person_id is None and len(sheet.owner_key) == 64 and sheet.owner_key not in unkeyed  # keyed with the secret
    assert {f.name for f in Response._meta.get_fields()} == {"id", "questionnaire", "owner_key", "person", "answers"}
    assert set(Respondent.objects.filter(questionnaire=q).values_list("person_id", flat=True)) == {teacher.pk, roles.member.person.pk}
    # No audit row names the sheet or holds what was answered.
    for row in AuditEvent.objects.all():
        assert str(response.pk) not in f"{row.target_id} {row.detail}" and secret not in str(row.detail)
    assert set(AuditEvent.objects.filter(action="questionnaire.respond").values_list("target_type", flat=True)) == {"needs.questionnaire"}
    # Nor anything per sheet: the teacher answered two questions, the member one, and the rows cannot tell.
    services.questionnaire_respond(actor=roles.member, questionnaire=q, answers={f"q{questions['您的教龄'].pk}": options["5-15 年"]})
    responds = AuditEvent.objects.filter(action__in=["questionnaire.respond", "questionnaire.respond.update"]).order_by("pk")
    assert list(responds.values_list("action", "detail")) == [
        ("questionnaire.respond", {}), ("questionnaire.respond", {}), ("questionnaire.respond.update", {})]

    # The teacher finds their own sheet again (and may change it); nobody else's page shows it.
    assert logic.own_answers(q, teacher.pk)[questions["建议"].pk] == secret
    client.force_login(roles.member)
    assert secret not in client.get(reverse("needs:answer", args=[q.pk])).content.decode()

    client.force_login(roles.school_admin)
    page = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert secret in page and teacher.name not in page and "2</span> / 4" in page
    table = client.get(reverse("needs:questionnaire", args=[q.pk]), {"view": "table"}).content.decode()
    assert teacher.name not in table
    export = client.get(reverse("needs:questionnaire_export", args=[q.pk]))
    from openpyxl import load_workbook

    rows = [list(r) for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)]
    assert rows[0] == ["您的教龄", "建议"] and len(rows) == 3
    flat = " ".join(str(c) for r in rows for c in r)
    assert teacher.name not in flat and roles.member.person.name not in flat and secret in flat
    history = client.get(reverse("org:audit_log")).content.decode()
    assert str(response.pk) not in history and secret not in history


# --- Results, rates, reminders ------------------------------------------------------


def test_results_count_each_option_score_and_text(roles, school):
    q = _other(roles.school_admin, school=school, questions=[SINGLE, MULTI, SCALE, TEXT])
    questions, options = _ids(q)
    single, multi, scale, text = (questions[k] for k in ("您的教龄", "希望观察的环节", "总体满意度", "建议"))
    for actor, age, parts, score, note in [
        (roles.teacher, "5 年以下", ["导入", "提问"], "4", "多听课"),
        (roles.member, "5 年以下", ["提问", "小结", "作业"], "2", ""),
        (roles.leader, "15 年以上", ["提问", "作业"], "3", "少开会"),
    ]:
        services.questionnaire_respond(actor=actor, questionnaire=q, answers={
            single.pk: options[age], multi.pk: [options[p] for p in parts], scale.pk: score, text.pk: note})
    by_text = {r.question.text: r for r in logic.results(q)}
    assert [(t.label, t.count, t.share) for t in by_text["您的教龄"].tallies] == [("5 年以下", 2, 67), ("5-15 年", 0, 0), ("15 年以上", 1, 33)]
    assert [(t.label, t.count) for t in by_text["希望观察的环节"].tallies] == [("导入", 1), ("提问", 3), ("小结", 1), ("作业", 2)]
    assert by_text["希望观察的环节"].answered == 3
    assert [(t.label, t.count) for t in by_text["总体满意度"].tallies] == [("1", 0), ("2", 1), ("3", 1), ("4", 1)]
    assert by_text["总体满意度"].average == 3.0
    assert sorted(by_text["建议"].texts) == ["多听课", "少开会"] and by_text["建议"].answered == 2
    assert by_text["希望观察的环节"].chart()["series"][0]["data"] == [1, 3, 1, 2]


def test_the_results_page_shows_a_bounded_number_of_texts_the_latest_first(client, roles, school, monkeypatch):
    q = _other(roles.school_admin, school=school, questions=[{**TEXT, "max_length": 100}])
    text = logic.questions_of(q)[0]
    base = timezone.now()
    for n, (actor, note) in enumerate([(roles.teacher, "甲的建议"), (roles.member, "乙的建议"), (roles.leader, "丙的建议")]):
        services.questionnaire_respond(actor=actor, questionnaire=q, answers={text.pk: note})
        Respondent.objects.filter(questionnaire=q, person=actor.person).update(updated_at=base + dt.timedelta(minutes=n))
    result = logic.results(q, texts_limit=2)[0]
    assert result.texts == ["丙的建议", "乙的建议"] and result.text_count == 3 and result.texts_cut
    services.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={text.pk: "甲改过的建议"})
    Respondent.objects.filter(questionnaire=q, person=roles.teacher.person).update(updated_at=base + dt.timedelta(hours=1))
    assert logic.results(q, texts_limit=2)[0].texts == ["甲改过的建议", "丙的建议"]
    full = logic.results(q)[0]
    assert full.text_count == 3 and len(full.texts) == 3 and not full.texts_cut

    monkeypatch.setattr(logic, "TEXTS_SHOWN", 2)
    client.force_login(roles.school_admin)
    page = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert "甲改过的建议" in page and "丙的建议" in page and "乙的建议" not in page
    assert "共 3 条，这里显示 2 条，全部见导出。" in page


def test_the_count_of_those_who_have_not_answered_is_not_capped_by_the_names_shown(client, roles, school, monkeypatch):
    from yanxiu.needs import questionnaire_views

    q = _other(roles.school_admin, school=school, questions=[SINGLE])
    questions, options = _ids(q)
    services.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={questions["您的教龄"].pk: options["5-15 年"]})
    rates = logic.response_rates(q)
    expected = rates.total.asked - rates.total.answered
    assert expected == logic.not_answered(q).count() and expected >= 3
    monkeypatch.setattr(questionnaire_views, "MISSING_SHOWN", 1)
    client.force_login(roles.school_admin)
    page = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert f"尚未填写（{expected}）" in page and "等（只列出前 1 位）" in page
    assert logic.not_answered(q).values_list("name", flat=True)[1] not in page.split('id="not-answered"')[1]


def test_response_rate_per_school_and_group_and_the_reminder_lists_who_has_not_answered(client, roles, school, school_b, county, group):
    q = _other(roles.centre, county=county, questions=[SINGLE])
    questions, options = _ids(q)
    for actor in (roles.teacher, roles.member, roles.other_teacher):
        services.questionnaire_respond(actor=actor, questionnaire=q, answers={questions["您的教龄"].pk: options["5-15 年"]})
    rates = logic.response_rates(q)
    assert (rates.total.asked, rates.total.answered, rates.total.rate) == (6, 3, 50)
    assert [(r.label, r.asked, r.answered, r.rate) for r in rates.schools] == [
        ("长沙县星沙第一小学", 4, 2, 50), ("长沙县榔梨中学", 2, 1, 50)]
    assert [(r.label, r.asked, r.answered) for r in rates.groups] == [("长沙县星沙第一小学 语文组", 2, 1)]
    missing = {roles.school_admin.person.pk, roles.leader.person.pk, roles.other_admin.person.pk}
    assert set(logic.not_answered(q).values_list("pk", flat=True)) == missing

    reminded = services.questionnaire_remind(actor=roles.centre, questionnaire=q)
    row = AuditEvent.objects.get(action="questionnaire.remind")
    assert set(reminded) == missing and set(row.detail["people"]) == missing and row.detail["count"] == 3
    assert row.county_id == county.pk
    with pytest.raises(PermissionDenied):
        services.questionnaire_remind(actor=roles.school_admin, questionnaire=q)  # the county's, not the school's

    client.force_login(roles.centre)
    page = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert "长沙县榔梨中学" in page and roles.leader.person.name in page and reverse("needs:questionnaire_remind", args=[q.pk]) in page
    done = client.post(reverse("needs:questionnaire_remind", args=[q.pk]))
    assert done.status_code == 302 and AuditEvent.objects.filter(action="questionnaire.remind").count() == 2
    client.force_login(roles.bureau)  # may read the county's results; the bureau manages it too
    assert client.get(reverse("needs:questionnaire", args=[q.pk])).status_code == 200
    client.force_login(roles.far_bureau)
    assert client.get(reverse("needs:questionnaire", args=[q.pk])).status_code == 404


def test_the_export_opens_in_libreoffice_one_row_per_answer_named(client, roles, school, tmp_path):
    from tests.reports.office import xlsx_rows

    q = _other(roles.school_admin, school=school, questions=[SINGLE, MULTI, SCALE, {**TEXT, "max_length": 50}])
    questions, options = _ids(q)
    services.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={
        questions["您的教龄"].pk: options["5-15 年"], questions["希望观察的环节"].pk: [options["作业"], options["导入"]],
        questions["总体满意度"].pk: "4", questions["建议"].pk: "=HYPERLINK(\"http://x\",\"y\")"})
    services.questionnaire_respond(actor=roles.member, questionnaire=q, answers={
        questions["您的教龄"].pk: options["5 年以下"], questions["希望观察的环节"].pk: [options["提问"], options["小结"]],
        questions["总体满意度"].pk: "2"})
    client.force_login(roles.school_admin)
    response = client.get(reverse("needs:questionnaire_export", args=[q.pk]))
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    path = tmp_path / "answers.xlsx"
    path.write_bytes(response.content)
    rows = xlsx_rows(path)
    assert rows[0] == ["姓名", "学校", "您的教龄", "希望观察的环节", "总体满意度", "建议"]
    assert rows[1:] == [
        ["张老师", "长沙县星沙第一小学", "5-15 年", "导入、作业", "4", "=HYPERLINK(\"http://x\",\"y\")"],
        ["组员", "长沙县星沙第一小学", "5 年以下", "提问、小结", "2", ""],
    ]
    client.force_login(roles.other_admin)
    assert client.get(reverse("needs:questionnaire_export", args=[q.pk])).status_code == 404


# --- Pages and permissions ----------------------------------------------------------


def test_the_builder_pages_from_creating_to_publishing(client, roles, school, categories):
    client.force_login(roles.school_admin)
    assert client.get(reverse("needs:create")).status_code == 200
    created = client.post(reverse("needs:create"), {"purpose": "needs", "title": ""})
    q = Questionnaire.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("needs:questionnaire", args=[q.pk])
    builder = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert "需要的培训内容" in builder and "信息技术应用" in builder and reverse("needs:question_add", args=[q.pk]) in builder

    bad = client.post(reverse("needs:question_add", args=[q.pk]), {"kind": "scale", "text": "总体评价", "scale_points": "1"})
    assert bad.status_code == 400
    assert 'name="scale_points" value="1" min="2" max="10" class="form-control" aria-invalid="true"' in bad.content.decode()
    assert "量表分值：确保该值大于或等于2。" in bad.content.decode()  # the field's own error, not its help text
    assert q.questions.count() == 4  # nothing added
    added = client.post(reverse("needs:question_add", args=[q.pk]), {"kind": "scale", "text": "总体评价", "scale_points": "5",
                                                                      "required": "on"})
    assert added.status_code == 302 and q.questions.count() == 5
    last = q.questions.get(text="总体评价")
    moved = client.post(reverse("needs:question_move", args=[q.pk, last.pk]), {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200 and 'id="questions"' in moved.content.decode() and "<html" not in moved.content.decode()
    assert Question.objects.get(pk=last.pk).position == 4
    assert client.post(reverse("needs:question_move", args=[q.pk, last.pk]), {"direction": "x" * 5000}).status_code == 302
    edit = client.post(reverse("needs:question_edit", args=[q.pk, last.pk]), {"kind": "text", "text": "其他意见", "max_length": "200"})
    assert edit.status_code == 302 and Question.objects.get(pk=last.pk).kind == "text"

    preview = client.get(reverse("needs:questionnaire_preview", args=[q.pk])).content.decode()
    assert "预览" in preview and "其他意见" in preview and "disabled" in preview

    settings = client.post(reverse("needs:questionnaire_settings", args=[q.pk]), {
        "title": "春季需求调研", "intro": "请如实填写", "anonymous": "on", "audience": "all",
        "opens_on": TODAY.isoformat(), "closes_on": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert settings.status_code == 302
    q.refresh_from_db()
    assert q.title == "春季需求调研" and q.anonymous
    assert client.post(reverse("needs:questionnaire_publish", args=[q.pk])).status_code == 302
    q.refresh_from_db()
    assert q.status == "published"
    assert client.get(reverse("needs:questionnaire_settings", args=[q.pk])).status_code == 403
    results = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert "0</span> / 4" in results and "q-chart-" not in results  # no chart before any answer
    assert "共 1 条" in client.get(reverse("needs:list")).content.decode()


def test_pages_refuse_who_may_not_see_or_answer_and_junk_never_fails(client, roles, school, school_b):
    q = _other(roles.school_admin, school=school, questions=[SINGLE])
    questions, options = _ids(q)
    draft = services.questionnaire_create(actor=roles.school_admin, purpose="other", school=school)
    client.force_login(roles.other_admin)
    for name in ("questionnaire", "questionnaire_preview", "questionnaire_export", "questionnaire_settings"):
        assert client.get(reverse(f"needs:{name}", args=[q.pk])).status_code == 404, name
    assert client.post(reverse("needs:questionnaire_close", args=[q.pk])).status_code == 404
    client.force_login(roles.teacher)
    assert client.get(reverse("needs:questionnaire", args=[q.pk])).status_code == 404
    assert client.get(reverse("needs:answer", args=[draft.pk])).status_code == 404
    page = client.get(reverse("needs:answer", args=[q.pk]))
    assert page.status_code == 200 and "您的教龄" in page.content.decode()
    missing = client.post(reverse("needs:answer", args=[q.pk]), {})
    assert missing.status_code == 400 and "第 1 题为必答题，请选择。" in missing.content.decode()
    junk = client.post(reverse("needs:answer", args=[q.pk]), {f"q{questions['您的教龄'].pk}": ["x" * 300, "'; drop"]})
    assert junk.status_code == 400 and "所选选项不在本题中" in junk.content.decode()
    ok = client.post(reverse("needs:answer", args=[q.pk]), {f"q{questions['您的教龄'].pk}": options["5-15 年"]})
    assert ok.status_code == 302 and ok["Location"] == reverse("needs:mine")
    mine = client.get(reverse("needs:mine")).content.decode()
    assert q.title in mine and "修改" in mine
    assert reverse("needs:answer", args=[q.pk]) in client.get(reverse("training:my")).content.decode()
    client.force_login(roles.other_teacher)
    assert client.get(reverse("needs:answer", args=[q.pk])).status_code == 404
    assert client.post(reverse("needs:answer", args=[q.pk]), {f"q{questions['您的教龄'].pk}": options["5-15 年"]}).status_code == 404
    assert Respondent.objects.filter(questionnaire=q).count() == 1
    client.force_login(roles.school_admin)
    for url in ("/needs/q/99999999999999999999999/", "/needs/q/0/answer/", f"/needs/q/{q.pk}/questions/99999999999999/",
                "/needs/?page=99999999999999", "/needs/new/?school=abc&county=1e99", "/needs/?sort=-x&q=" + "长" * 500):
        assert client.get(url).status_code in (200, 302, 400, 404), url
    assert client.get(reverse("needs:questionnaire_export", args=[draft.pk])).status_code == 404


# --- Session evaluations ------------------------------------------------------------


@pytest.fixture
def session(roles, school, county):
    from yanxiu.training import services as training

    category = ContentCategory.objects.create(region=county, code="B01", name="校本特色课程")
    project = training.project_create(actor=roles.school_admin, owner_school=school, title="课堂观察", kind="observation",
                                      category=category, school_year=YEAR)
    start = timezone.now() + dt.timedelta(hours=1)
    s = training.session_create(actor=roles.school_admin, project=project, title="评课", starts_at=start,
                                ends_at=start + dt.timedelta(hours=1), place="会议室", presenter_name="王老师", content="观课")
    training.session_publish(actor=roles.school_admin, session=s)
    return s


def test_a_session_evaluation_asks_those_who_attended(client, roles, session):
    from yanxiu.attendance.models import Attendance

    Attendance.objects.create(session=session, person=roles.teacher.person, status=Attendance.Status.PRESENT)
    Attendance.objects.create(session=session, person=roles.member.person, status=Attendance.Status.ABSENT)
    client.force_login(roles.school_admin)
    detail = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert reverse("needs:session_evaluation_create", args=[session.pk]) in detail
    created = client.post(reverse("needs:session_evaluation_create", args=[session.pk]))
    q = Questionnaire.objects.get(session=session)
    assert created["Location"] == reverse("needs:questionnaire", args=[q.pk])
    assert (q.purpose, q.audience, q.school_id, q.opens_on) == ("evaluation", "attended", session.project.owner_school_id,
                                                                timezone.localtime(session.starts_at).date())
    assert [x.text for x in logic.questions_of(q)] == ["培训内容", "主讲人", "组织安排", "意见建议"]
    again = client.post(reverse("needs:session_evaluation_create", args=[session.pk]))
    assert again["Location"] == created["Location"] and Questionnaire.objects.count() == 1
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    assert list(logic.audience_people(q)) == [roles.teacher.person]

    client.force_login(roles.teacher)
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert reverse("needs:answer", args=[q.pk]) in page and reverse("training:evaluate", args=[session.pk]) not in page
    questions = logic.questions_of(q)
    services.questionnaire_respond(actor=roles.teacher, questionnaire=q, answers={questions[0].pk: "5", questions[1].pk: "4",
                                                                                questions[2].pk: "5"})
    with pytest.raises(PermissionDenied):
        services.questionnaire_respond(actor=roles.member, questionnaire=q, answers={questions[0].pk: "5"})
    client.force_login(roles.member)
    assert client.get(reverse("needs:answer", args=[q.pk])).status_code == 404
    client.force_login(roles.leader)  # not the session's group: neither manages nor reads it
    assert client.get(reverse("needs:questionnaire", args=[q.pk])).status_code == 404
    client.force_login(roles.school_admin)
    results = client.get(reverse("needs:questionnaire", args=[q.pk])).content.decode()
    assert "1</span> / 1" in results and "平均 5.0" in results


# --- Needs across both kinds of survey ---------------------------------------------


def test_the_county_summary_and_the_plan_card_read_the_new_needs_surveys(client, roles, school, school_b, county, categories):
    from yanxiu.needs import services as fixed

    fixed.survey_create(actor=roles.other_admin, school=school_b, school_year=YEAR, title="旧式调研",
                        closes_on=TODAY + dt.timedelta(days=3), categories=[categories["digital"], categories["ethics"]])
    fixed.survey_respond(actor=roles.other_teacher, survey=selectors.NeedsSurvey.objects.get(), categories=[categories["digital"]])
    q = _needs(roles, school)
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)
    questions, options = _ids(q)
    for actor, picked in ((roles.teacher, ["信息技术应用", "★师德师风"]), (roles.member, ["信息技术应用"])):
        services.questionnaire_respond(actor=actor, questionnaire=q, answers={questions["categories"].pk: [options[p] for p in picked]})
    rows, surveys, respondents = selectors.county_summary(county, YEAR)
    assert [(r.label, r.count, r.schools) for r in rows] == [("信息技术应用", 3, 2), ("★师德师风", 1, 1)]
    assert (surveys, respondents) == (2, 3)
    needs = selectors.school_needs(school.pk, YEAR)
    assert needs.is_questionnaire and (needs.respondents, needs.staff) == (2, 4)
    assert [(t.label, t.count) for t in needs.top] == [("信息技术应用", 2), ("★师德师风", 1), ("整本书阅读", 0)]
    old = selectors.school_needs(school_b.pk, YEAR)
    assert not old.is_questionnaire and [(t.label, t.count) for t in old.top][:1] == [("信息技术应用", 1)]
    assert selectors.school_needs(school.pk, "2000-2001") is None
    plan = SchoolPlan.objects.create(school=school, school_year=YEAR, title="年度计划")
    client.force_login(roles.school_admin)
    card = client.get(reverse("training:plan_detail", args=[plan.pk])).content.decode()
    assert "信息技术应用：2" in card and reverse("needs:questionnaire", args=[q.pk]) in card
    client.force_login(roles.centre)
    summary = client.get(reverse("needs:county", args=[county.pk]) + f"?year={YEAR}").content.decode()
    assert "2 所学校发起调研，共 3 名教师填写" in summary
