import pytest
from django.urls import reverse

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.policy.models import Policy


@pytest.fixture
def county_policy(roles, school):
    policy = adopt("000", school.county)
    teacher = roles.teacher.person
    credit(teacher, 30)
    credit(teacher, 14, kind="centralised", title="县级培训")
    return policy


def form_data(policy, **over):
    from yanxiu.policy.forms import PolicyForm

    initial = PolicyForm.initial_from(policy)
    data = {k: ("on" if v is True else "" if v is None or v is False else v) for k, v in initial.items()}
    data.update(preview_year=YEAR, change_reason="调整", **over)
    return {k: v for k, v in data.items() if v != ""}


def test_the_bureau_previews_the_effect_then_saves_a_new_version(client, county_policy, roles):
    client.force_login(roles.bureau)
    url = reverse("policy:edit", args=[county_policy.pk])
    assert client.get(url).status_code == 200
    preview = client.post(url, {**form_data(county_policy, total_min="40"), "preview": "1"})
    text = preview.content.decode()
    assert not preview.context["form"].errors
    assert preview.status_code == 200 and "修改前" in text and "修改后" in text
    assert preview.context["preview"]["before"]["below"] >= 1
    assert preview.context["preview"]["after"]["met"] == preview.context["preview"]["before"]["met"] + 1
    assert Policy.objects.filter(region=county_policy.region).count() == 1
    saved = client.post(url, {**form_data(county_policy, total_min="40"), "save": "1"})
    assert saved.status_code == 302
    versions = Policy.objects.filter(region=county_policy.region).order_by("version")
    assert [v.version for v in versions] == [1, 2] and versions[1].total_min == 40 and versions[0].total_min == 48
    assert "v2" in client.get(saved.url).content.decode()


def test_a_bad_policy_shows_the_field_and_saves_nothing(client, county_policy, roles):
    client.force_login(roles.bureau)
    url = reverse("policy:edit", args=[county_policy.pk])
    response = client.post(url, {**form_data(county_policy, activity_caps="公开课 2"), "save": "1"})
    assert response.status_code == 200 and "活动类型 每项学时 每学年上限" in response.content.decode()
    assert Policy.objects.filter(region=county_policy.region).count() == 1


def test_schools_and_teachers_cannot_edit(client, county_policy, roles):
    for user in (roles.school_admin, roles.teacher):
        client.force_login(user)
        assert client.get(reverse("policy:edit", args=[county_policy.pk])).status_code == 403
    assert client.get(reverse("policy:detail", args=[county_policy.pk])).status_code == 200


def test_the_list_shows_presets_with_their_seed(client, county_policy, roles):
    client.force_login(roles.bureau)
    text = client.get(reverse("policy:list")).content.decode()
    # Each preset names its seed document by title, never by the seed file's id.
    assert "《校本培训工作总结》" in text and "《区教师培训工作计划》" in text and "《关于加强中小学校本培训的指导意见》" in text
    assert "seeds/" not in text
