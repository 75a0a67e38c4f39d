"""Every organisation URL, walked with every role: who may see and do what.

The matrix lists the expected status per role; a new URL pattern in the
covered namespaces fails ``test_every_url_pattern_is_in_the_matrix`` until it
is added here.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

pytestmark = pytest.mark.django_db

ROLES = ["anon", "teacher", "other_teacher", "member", "leader", "school_admin", "other_admin", "bureau", "far_bureau", "centre", "presenter"]
LOGIN = "login"  # redirect to the login page

# name -> (method, kwargs key, {role: status}); roles not listed default to the "*" entry.
# A role that may never do what a page does gets 403; a role that may, asking for an
# object outside its schools or region, gets 404 (the object is fetched through a scoped selector).
MATRIX = {
    "reports:home": ("get", None, {"anon": LOGIN, "*": 200}),
    "reports:followups": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200,
                                        "centre": 200, "*": 403}),
    # Year-end summaries: the school's admin writes, region staff over it read (and reopen a filed one).
    "reports:summary": ("get", None, {"anon": LOGIN, "school_admin": 302, "other_admin": 302, "bureau": 302, "far_bureau": 302,
                                      "centre": 302, "*": 403}),
    "reports:summary_list": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "centre": 200, "*": 403}),
    "reports:summary_school": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_preview": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_download": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_plan": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_refresh": ("post", "school_id", {"anon": LOGIN, "school_admin": 302, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_file": ("post", "school_id", {"anon": LOGIN, "school_admin": 302, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:summary_reopen": ("post", "school_id", {"anon": LOGIN, "bureau": 404, "centre": 404, "other_admin": 404, "far_bureau": 404,
                                                    "*": 403}),
    # Notices: issued by region staff; read by them and by the admins of the schools they name.
    "reports:notice_list": ("get", None, {"anon": LOGIN, "bureau": 200, "centre": 200, "far_bureau": 200, "school_admin": 200,
                                          "other_admin": 200, "*": 403}),
    "reports:notice_new": ("get", None, {"anon": LOGIN, "bureau": 200, "centre": 200, "far_bureau": 200, "*": 403}),
    "reports:notice_settings": ("get", None, {"anon": LOGIN, "bureau": 200, "centre": 200, "far_bureau": 200, "*": 403}),
    "reports:notice_detail": ("get", "notice", {"anon": LOGIN, "bureau": 200, "centre": 200, "school_admin": 200, "other_admin": 404,
                                               "far_bureau": 404, "*": 403}),
    "reports:notice_docx": ("get", "notice", {"anon": LOGIN, "bureau": 200, "centre": 200, "school_admin": 200, "other_admin": 404,
                                             "far_bureau": 404, "*": 403}),
    "reports:notice_pdf": ("get", "notice", {"anon": LOGIN, "bureau": 200, "centre": 200, "school_admin": 200, "other_admin": 404,
                                            "far_bureau": 404, "*": 403}),
    # The bureau's evaluation sheet of schools.
    "reports:evaluation_sheet": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200,
                                               "centre": 200, "*": 403}),
    "reports:evaluation_school": ("get", "school", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:evaluation_review": ("get", "school", {"anon": LOGIN, "bureau": 200, "centre": 200, "far_bureau": 404, "*": 403}),
    "reports:evaluation_weights": ("get", "county_id", {"anon": LOGIN, "bureau": 200, "far_bureau": 404, "*": 403}),
    # Dashboards: the bureau's for region staff, the school's for its admin and group leaders, the teacher's own.
    "reports:dashboard_bureau": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "centre": 200, "*": 403}),
    "reports:dashboard_school": ("get", None, {"anon": LOGIN, "leader": 200, "school_admin": 200, "other_admin": 200, "bureau": 302,
                                               "far_bureau": 302, "centre": 302, "*": 403}),
    "reports:dashboard_mine": ("get", None, {"anon": LOGIN, "bureau": 403, "far_bureau": 403, "centre": 403, "presenter": 403, "*": 200}),
    "reports:at_risk": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200,
                                      "centre": 200, "*": 403}),
    # Upper-level participant lists and the annual inspection pack.
    "reports:upper_lists": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200,
                                          "centre": 200, "*": 403}),
    "reports:quota_participants": ("get", "quota", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "other_admin": 404,
                                                    "far_bureau": 404, "*": 403}),
    "reports:quota_participants_export": ("post", "quota", {"anon": LOGIN, "school_admin": 302, "bureau": 302, "centre": 302,
                                                            "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:project_participants": ("get", "upper_project", {"anon": LOGIN, "bureau": 200, "centre": 200, "far_bureau": 404, "*": 403}),
    "reports:project_participants_export": ("post", "upper_project", {"anon": LOGIN, "bureau": 302, "centre": 302, "far_bureau": 404,
                                                                      "*": 403}),
    "reports:inspection": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200,
                                         "centre": 200, "*": 403}),
    "reports:inspection_start": ("post", None, {"anon": LOGIN, "school_admin": 302, "other_admin": 302, "bureau": 302, "far_bureau": 302,
                                                "centre": 302, "*": 403}),
    # Registers: a teacher is sent to their own; leaders read their groups', admins their school's, region staff their county's.
    "reports:register_entries": ("get", None, {"anon": LOGIN, "teacher": 302, "other_teacher": 302, "member": 302, "presenter": 302,
                                               "*": 200}),
    "reports:register_mine": ("get", None, {"anon": LOGIN, "bureau": 404, "far_bureau": 404, "centre": 404, "presenter": 404, "*": 200}),
    "reports:register_person": ("get", "person_id", {"anon": LOGIN, "teacher": 200, "school_admin": 200, "bureau": 200, "centre": 200,
                                                     "*": 404}),
    "reports:register_school": ("get", None, {"anon": LOGIN, "leader": 200, "school_admin": 200, "other_admin": 200, "bureau": 200,
                                              "far_bureau": 200, "centre": 200, "*": 403}),
    "reports:register_trainings": ("get", None, {"anon": LOGIN, "leader": 200, "school_admin": 200, "other_admin": 200, "bureau": 200,
                                                 "far_bureau": 200, "centre": 200, "*": 403}),
    "reports:register_session": ("get", "session_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "leader": 404,
                                                       "other_admin": 404, "far_bureau": 404, "*": 403}),
    "reports:register_project": ("get", "project_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "leader": 404,
                                                       "other_admin": 404, "far_bureau": 404, "*": 403}),
    "accounts:login": ("get", None, {"*": 200}),
    "accounts:password_change": ("get", None, {"anon": LOGIN, "*": 200}),
    "org:my_profile": ("get", None, {"anon": LOGIN, "presenter": 302, "bureau": 302, "centre": 302, "far_bureau": 302, "*": 200}),
    "org:profile_edit": ("get", None, {"anon": LOGIN, "presenter": 404, "bureau": 404, "centre": 404, "far_bureau": 404, "*": 200}),
    "org:staff_list": ("get", None, {"anon": LOGIN, "teacher": 403, "other_teacher": 403, "member": 403, "presenter": 403, "*": 200}),
    "org:staff_export": ("get", None, {"anon": LOGIN, "teacher": 403, "other_teacher": 403, "member": 403, "presenter": 403, "*": 200}),
    "org:person_detail": ("get", "employment", {"anon": LOGIN, "teacher": 200, "school_admin": 200, "bureau": 200, "centre": 200, "*": 404}),
    "org:person_reveal": ("post", "employment", {"anon": LOGIN, "teacher": 200, "school_admin": 200, "bureau": 200, "centre": 200, "*": 404}),
    # One-time passwords are seen by the school's own admin only, not by the bureau.
    "org:account_reset": ("post", "employment", {"anon": LOGIN, "school_admin": 200, "bureau": 403, "teacher": 403, "centre": 403, "*": 404}),
    "org:login_slips": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "other_admin": 404, "*": 403}),
    "org:employment_edit": ("get", "employment", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "teacher": 403, "centre": 403, "*": 404}),
    "org:transfer": ("get", "employment", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "teacher": 403, "centre": 403, "*": 404}),
    "org:person_history": ("get", "employment", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "teacher": 403, "centre": 403, "*": 404}),
    "org:school_list": ("get", None, {"anon": LOGIN, "school_admin": 200, "other_admin": 200, "bureau": 200, "far_bureau": 200, "centre": 200, "*": 403}),
    "org:school_create": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "*": 403}),
    "org:school_detail": ("get", "school", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 200, "teacher": 403, "member": 403, "leader": 403, "*": 404}),
    "org:school_edit": ("get", "school", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 403, "teacher": 403, "member": 403, "leader": 403, "*": 404}),
    "org:school_history": ("get", "school", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "centre": 403, "teacher": 403, "member": 403, "leader": 403, "*": 404}),
    "org:teacher_add": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "org:group_create": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "org:roster_import": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "org:roster_template": ("get", "school_id", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "org:group_edit": ("get", "group", {"anon": LOGIN, "school_admin": 200, "bureau": 200, "other_admin": 404, "far_bureau": 404, "*": 403}),
    "org:admin_appoint": ("get", "school_id", {"anon": LOGIN, "bureau": 200, "far_bureau": 404, "*": 403}),
    "org:role_revoke": ("post", "assignment", {"anon": LOGIN, "bureau": 302, "far_bureau": 404, "*": 403}),
    "org:cluster_list": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "centre": 200, "*": 403}),
    "org:cluster_create": ("get", "county_id", {"anon": LOGIN, "bureau": 200, "far_bureau": 404, "*": 403}),
    "org:cluster_edit": ("get", "cluster", {"anon": LOGIN, "bureau": 200, "far_bureau": 404, "*": 403}),
    "org:audit_log": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "centre": 200, "school_admin": 200, "other_admin": 200,
                                    "*": 403}),
    "org:access_log": ("get", None, {"anon": LOGIN, "bureau": 200, "far_bureau": 200, "school_admin": 200, "other_admin": 200, "*": 403}),
    # A background job is seen and downloaded by the user who started it only.
    "core:job_detail": ("get", "job", {"anon": LOGIN, "school_admin": 200, "*": 404}),
    "core:job_download": ("get", "job", {"anon": LOGIN, "school_admin": 200, "*": 404}),
}
COVERED_NAMESPACES = {"core", "accounts", "org", "reports"}
NOT_IN_MATRIX = {"accounts:logout", "core:healthz"}


def _url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if hasattr(p, "url_patterns"):
            ns = p.namespace or ""
            yield from _url_names(p, f"{prefix}{ns}:" if ns else prefix)
        elif p.name:
            yield f"{prefix}{p.name}"


def test_every_url_pattern_is_in_the_matrix():
    names = {n for n in _url_names() if n.split(":")[0] in COVERED_NAMESPACES}
    missing = names - set(MATRIX) - NOT_IN_MATRIX
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


def _finished_job(owner):
    from yanxiu.core import jobs
    from yanxiu.core.models import Job

    job = Job.objects.create(owner=owner, kind="test.export", label="导出")
    path = jobs.output_path(job, "xlsx")
    path.write_bytes(b"PK")
    jobs.finish(job.pk, path, "导出.xlsx")
    return job


def _report_targets(roles, school, county) -> dict:
    """An upper-level project with the school's quota, and a held school session, for the reports pages."""
    import datetime as dt

    from django.utils import timezone

    from tests.reports.test_participants import project, quota
    from yanxiu.training.models import Project, Session

    upper = project(county)
    school_project = Project.objects.create(owner_school=school, region=county, title="校本研修", school_year="2026-2027", status="approved")
    start = timezone.now() - dt.timedelta(days=1)
    session = Session.objects.create(project=school_project, title="单元教学", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                     status="published")
    return {"quota": {"pk": quota(upper, school, places=2).pk}, "upper_project": {"pk": upper.pk},
            "person_id": {"person_id": roles.teacher.person.pk}, "session_id": {"session_id": session.pk},
            "project_id": {"project_id": school_project.pk}}


def _issued_notice(roles, school):
    """A commendation naming ``school``, issued by the county's bureau."""
    import datetime as dt

    from yanxiu.reports.services.notices import document_settings_set, notice_issue

    document_settings_set(actor=roles.bureau, region=school.county, issuing_body="长沙县教育局", number_prefix="长教通")
    return notice_issue(actor=roles.bureau, region=school.county, kind="commendation",
                        scope={"schools": [school.pk], "groups": [], "reasons": {f"school:{school.pk}": "校本研修扎实"}},
                        title="关于表彰校本研修先进学校的通报", body="经评估，对以下学校予以表彰。", date=dt.date(2026, 11, 20))


@pytest.fixture
def targets(roles, school, group, county):
    from yanxiu.accounts.models import RoleAssignment
    from yanxiu.org.models import Cluster

    employment = roles.teacher.person.employments.get()
    cluster = Cluster.objects.create(county=county, name="星沙片区", base_school=school)
    return {
        "employment": {"pk": employment.pk},
        "school": {"pk": school.pk},
        "school_id": {"school_id": school.pk},
        "group": {"pk": group.pk},
        "county_id": {"county_id": county.pk},
        "cluster": {"pk": cluster.pk},
        "job": {"pk": _finished_job(roles.school_admin).pk},
        "notice": {"pk": _issued_notice(roles, school).pk},
        **_report_targets(roles, school, county),
        # Revoking is destructive: each role gets a fresh assignment to try on.
        "assignment": lambda: {"pk": RoleAssignment.objects.create(user=roles.member, role="school_admin", school=school).pk},
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, roles, targets, name):
    method, target, expected = MATRIX[name]
    failures = []
    for role in ROLES:
        kwargs = targets[target] if target else None
        url = reverse(name, kwargs=kwargs() if callable(kwargs) else kwargs)
        client.logout()
        if role != "anon":
            client.force_login(getattr(roles, role))
        response = getattr(client, method)(url)
        want = expected.get(role, expected["*"])
        if want == LOGIN:
            ok = response.status_code == 302 and reverse("accounts:login") in response.url
        else:
            ok = response.status_code == want
        if not ok:
            failures.append(f"{role}: expected {want}, got {response.status_code}")
    assert not failures, f"{name}: " + "; ".join(failures)


def _reachable_pages(client, user, targets):
    client.force_login(user)
    for name, (method, target, _expected) in MATRIX.items():
        kwargs = targets[target] if target else None
        url = reverse(name, kwargs=kwargs() if callable(kwargs) else kwargs)
        response = getattr(client, method)(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/"):
            yield name, response.content.decode()


def test_no_teacher_reaches_another_teachers_id_number_or_phone(client, roles, targets):
    others = [roles.other_teacher.person, roles.member.person, roles.leader.person, roles.school_admin.person]
    for role in ("teacher", "member", "leader"):
        user = getattr(roles, role)
        for name, html in _reachable_pages(client, user, targets):
            for other in others:
                if other.user_id == user.pk:
                    continue
                assert other.id_number not in html, f"{role} sees {other.name}'s ID number on {name}"
                assert other.phone not in html, f"{role} sees {other.name}'s phone on {name}"


def test_no_school_admin_reaches_another_schools_people(client, roles, targets):
    teacher = roles.teacher.person
    client.force_login(roles.other_admin)
    html = client.get(reverse("org:staff_list")).content.decode()
    assert teacher.name not in html
    assert roles.other_teacher.person.name in html
    for name, page in _reachable_pages(client, roles.other_admin, targets):
        assert teacher.id_number not in page and teacher.masked_id_number not in page, name


def test_a_group_leader_sees_the_groups_members_masked(client, roles):
    client.force_login(roles.leader)
    html = client.get(reverse("org:staff_list")).content.decode()
    member = roles.member.person
    assert member.name in html and member.masked_id_number in html
    assert member.id_number not in html
    assert roles.teacher.person.name not in html  # not in the group
