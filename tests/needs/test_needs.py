"""Training needs surveys: a school asks, its teachers answer, the plan and the county see the needs."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yanxiu.core.models import AuditEvent
from yanxiu.needs import selectors, services
from yanxiu.needs.models import NeedsResponse, NeedsSurvey
from yanxiu.training.models import ContentCategory, SchoolPlan, school_year_of

pytestmark = pytest.mark.django_db

YEAR = school_year_of(timezone.localdate())


@pytest.fixture
def categories(county, other_county):
    return {
        "ethics": ContentCategory.objects.create(region=county, code="A01", name="师德师风", compulsory=True),
        "digital": ContentCategory.objects.create(region=county, code="A02", name="信息技术应用"),
        "reading": ContentCategory.objects.create(region=None, code="N01", name="整本书阅读"),
        "far": ContentCategory.objects.create(region=other_county, code="F01", name="外县课程"),
    }


@pytest.fixture
def survey(roles, school, categories):
    return services.survey_create(
        actor=roles.school_admin, school=school, school_year=YEAR, title="本学年培训需求调研",
        closes_on=timezone.localdate() + dt.timedelta(days=7),
        categories=[categories["ethics"], categories["digital"], categories["reading"]], intro="请如实填写",
    )


def messages(exc) -> dict:
    return exc.value.message_dict


def test_a_school_admin_opens_a_survey_with_the_regions_catalogue(roles, school, categories, survey):
    assert set(survey.categories.values_list("code", flat=True)) == {"A01", "A02", "N01"}
    assert AuditEvent.objects.filter(action="needs.survey.create", target_id=str(survey.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.survey_create(actor=roles.other_admin, school=school, school_year=YEAR, title="x",
                               closes_on=timezone.localdate(), categories=[categories["ethics"]])
    with pytest.raises(ValidationError) as exc:
        services.survey_create(actor=roles.school_admin, school=school, school_year="2026", title=" ",
                               closes_on=timezone.localdate() - dt.timedelta(days=1), categories=[])
    assert "学年格式" in messages(exc)["school_year"][0]
    with pytest.raises(ValidationError) as exc:
        services.survey_create(actor=roles.school_admin, school=school, school_year=YEAR, title=" ",
                               closes_on=timezone.localdate() - dt.timedelta(days=1), categories=[categories["far"]])
    errors = messages(exc)
    assert errors["title"] == ["请填写调研标题。"] and errors["closes_on"] == ["截止日期不能早于今天。"]
    assert errors["categories"] == ["“外县课程”不在本地区培训目录中。"]
    assert NeedsSurvey.objects.count() == 1


def test_teachers_of_the_school_answer_and_may_change_their_answer(roles, categories, survey):
    services.survey_respond(actor=roles.teacher, survey=survey, categories=[categories["digital"]], kinds=["lesson_study"],
                            times=["weekend"], suggestion="希望多一些课堂观察")
    again = services.survey_respond(actor=roles.teacher, survey=survey, categories=[categories["digital"], categories["ethics"]],
                                    kinds=["lesson_study", "lecture"], times=[])
    assert NeedsResponse.objects.count() == 1 and again.categories.count() == 2 and again.kinds == ["lecture", "lesson_study"]
    assert AuditEvent.objects.filter(action="needs.respond.update").count() == 1
    with pytest.raises(PermissionDenied, match="本校在职教师"):
        services.survey_respond(actor=roles.other_teacher, survey=survey, categories=[categories["digital"]])
    with pytest.raises(ValidationError) as exc:
        services.survey_respond(actor=roles.member, survey=survey, categories=[categories["far"]], kinds=["flying"],
                                times=["midnight"], suggestion="长" * 1001)
    errors = messages(exc)
    assert errors["categories"] == ["所选内容不在本次调研的选项中。"] and errors["kinds"] == ["培训形式“flying”无效。"]
    assert errors["times"] == ["时间选项“midnight”无效。"] and "1000 字（现为 1001 字）" in errors["suggestion"][0]
    with pytest.raises(ValidationError, match="至少勾选"):
        services.survey_respond(actor=roles.member, survey=survey, categories=[])
    services.survey_close(actor=roles.school_admin, survey=survey)
    with pytest.raises(ValidationError, match="截止"):
        services.survey_respond(actor=roles.member, survey=survey, categories=[categories["digital"]])
    assert NeedsResponse.objects.count() == 1


def test_results_count_each_content_and_name_who_has_not_answered(roles, categories, survey):
    services.survey_respond(actor=roles.teacher, survey=survey, categories=[categories["digital"], categories["ethics"]],
                            kinds=["lesson_study"], times=["weekend"])
    services.survey_respond(actor=roles.member, survey=survey, categories=[categories["digital"]], kinds=["lesson_study", "online"],
                            suggestion="希望请教研员来校指导")
    result = selectors.results(survey)
    assert [(t.label, t.count) for t in result.categories] == [("信息技术应用", 2), ("★师德师风", 1), ("整本书阅读", 0)]
    assert [(t.label, t.count) for t in result.kinds] == [("课例研究", 2), ("网络研修", 1)]
    assert result.respondents == 2 and result.staff == 4 and result.rate == 50
    assert result.suggestions == ["希望请教研员来校指导"] and set(result.missing) == {roles.leader.person.name, roles.school_admin.person.name}
    assert result.chart()["series"][0]["data"] == [2, 1, 0]


def test_the_pages_of_a_fixed_survey_from_answering_to_the_county_summary(client, roles, school, categories):
    """The fixed surveys of earlier years are no longer started from a page; those that exist keep working."""
    services.survey_create(actor=roles.school_admin, school=school, school_year=YEAR, title="需求调研",
                           closes_on=timezone.localdate() + dt.timedelta(days=3),
                           categories=[categories["digital"], categories["ethics"]])
    survey = NeedsSurvey.objects.get()

    client.force_login(roles.teacher)
    mine = client.get(reverse("training:my")).content.decode()
    assert "需求调研" in mine and reverse("needs:respond", args=[survey.pk]) in mine
    answered = client.post(reverse("needs:respond", args=[survey.pk]), {
        "categories": [categories["digital"].pk], "kinds": ["collective_prep"], "times": ["research_time"], "suggestion": "多听课",
    })
    assert answered.status_code == 302 and NeedsResponse.objects.get().suggestion == "多听课"
    assert client.get(reverse("needs:detail", args=[survey.pk])).status_code == 404
    client.force_login(roles.other_teacher)  # another school's survey: not one they may open
    assert client.get(reverse("needs:respond", args=[survey.pk])).status_code == 404

    client.force_login(roles.school_admin)
    results = client.get(reverse("needs:detail", args=[survey.pk])).content.decode()
    assert "1</span> / 4" in results and "信息技术应用" in results and "needs-chart" in results and "多听课" in results
    plan = SchoolPlan.objects.create(school=school, school_year=YEAR, title="年度计划")
    assert "信息技术应用：1" in client.get(reverse("training:plan_detail", args=[plan.pk])).content.decode()
    client.post(reverse("needs:close", args=[survey.pk]))
    assert NeedsSurvey.objects.get().closed_at is not None
    client.force_login(roles.other_admin)
    assert client.get(reverse("needs:detail", args=[survey.pk])).status_code == 404

    client.force_login(roles.centre)
    summary = client.get(reverse("needs:county", args=[school.county_id]) + f"?year={YEAR}").content.decode()
    assert "1 所学校发起调研，共 1 名教师填写" in summary and "信息技术应用" in summary
    assert client.get(reverse("needs:detail", args=[survey.pk])).status_code == 200
    client.force_login(roles.far_bureau)
    assert client.get(reverse("needs:county", args=[school.county_id])).status_code == 403


def test_the_survey_list_is_paged_searched_and_scoped(client, roles, school, school_b, categories, survey):
    services.survey_create(actor=roles.other_admin, school=school_b, school_year=YEAR, title="别校调研",
                           closes_on=timezone.localdate() + dt.timedelta(days=7), categories=[categories["ethics"]])
    client.force_login(roles.school_admin)
    html = client.get(reverse("needs:surveys")).content.decode()
    assert survey.title in html and "别校调研" not in html and "共 1 条" in html
    client.force_login(roles.bureau)
    html = client.get(reverse("needs:surveys"), {"q": "别校"}).content.decode()
    assert "别校调研" in html and survey.title not in html
    assert client.get(reverse("needs:surveys"), {"page": "999"}).status_code == 200


def test_closing_a_survey_is_a_post_and_closing_it_twice_is_a_message(client, roles, survey):
    url = reverse("needs:close", args=[survey.pk])
    client.force_login(roles.school_admin)
    assert client.get(url).status_code == 405
    first = client.post(url)
    assert first.status_code == 302 and first.url == reverse("needs:detail", args=[survey.pk])
    again = client.post(url)
    assert again.status_code == 302 and "该调研已结束。" in [str(m) for m in again.wsgi_request._messages]
    client.force_login(roles.centre)  # sees the survey, manages nothing
    assert client.post(url).status_code == 403
    client.force_login(roles.other_admin)
    assert client.post(url).status_code == 404
