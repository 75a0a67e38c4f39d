"""One reflection-length rule: the session's rule, else the county policy, else the setting;
the same minimum and the same count where a reflection is submitted and where credit checks it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.credits.factories import adopt
from yanxiu.attendance import reflection_rules, services
from yanxiu.attendance.models import Attendance, Reflection
from yanxiu.attendance.selectors import session_evidence
from yanxiu.credits.services import credit_school_session
from yanxiu.policy.models import Policy

pytestmark = pytest.mark.django_db


def body(n: int) -> str:
    """A reflection of ``n`` counted characters, with spaces and line breaks that do not count."""
    words = ["研修", "收获", "课堂", "学生", "反思"]
    out, count = [], 0
    while count < n:
        w = words[len(out) % len(words)][: n - count]
        out.append(w)
        count += len(w)
    return " \n ".join(out)


@pytest.fixture
def ended(sessions, roles, school):
    """A finished school session the teacher attended in full."""
    start = timezone.now() - dt.timedelta(hours=3)
    session = sessions.make(starts_at=start, ends_at=start + dt.timedelta(hours=2), enroll=[roles.teacher], hours=Decimal("2"))
    Attendance.objects.create(session=session, person=roles.teacher.person, signed_in_at=start, signed_out_at=start + dt.timedelta(hours=2))
    return session


def policy_minimum(county, chars: int) -> None:
    adopt("000", county)
    Policy.objects.filter(region=county).update(min_reflection_chars=chars)


def submit_accept_credit(session, roles, chars: int):
    reflection = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=body(chars))
    services.reflection_review(actor=roles.school_admin, reflection=reflection, accept=True)
    return credit_school_session(actor=roles.school_admin, session=session)


def test_the_minimum_is_the_sessions_rule_else_the_policy_else_the_setting(ended, county, roles, settings):
    settings.YANXIU_REFLECTION_MIN_CHARS = 150
    assert reflection_rules.minimum_for(ended) == reflection_rules.ReflectionMinimum(150, 0, "setting")
    adopt("000", county)  # the preset sets no minimum: the setting still applies
    assert reflection_rules.minimum_for(ended).source == "setting"
    Policy.objects.filter(region=county).update(min_reflection_chars=300)
    assert reflection_rules.minimum_for(ended) == reflection_rules.ReflectionMinimum(300, 0, "policy")
    assert services.rule_for(ended).min_reflection_chars == 300  # what the rule form and the reflection page show
    services.reflection_rule_set(actor=roles.school_admin, session=ended, min_reflection_chars=80, min_notes_chars=10)
    assert reflection_rules.minimum_for(ended) == reflection_rules.ReflectionMinimum(80, 10, "session")


@pytest.mark.parametrize("policy_chars", [300, 50])
def test_an_accepted_reflection_is_never_refused_credit_for_its_length(ended, county, roles, policy_chars):
    """Under a policy minimum above and below the setting (200), the same number decides both."""
    policy_minimum(county, policy_chars)
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=roles.teacher, session=ended, notes="", body=body(policy_chars - 1))
    assert f"至少 {policy_chars} 字" in exc.value.message_dict["body"][0]
    result = submit_accept_credit(ended, roles, policy_chars)
    assert [e.person_id for e in result.credited] == [roles.teacher.person.pk], result.skipped
    assert result.credited[0].evidence["reflection_chars"] == policy_chars  # counted as at submission (no spaces)


def test_a_reflection_too_short_for_credit_is_refused_at_submission_with_the_same_number(ended, county, roles):
    policy_minimum(county, 300)
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=roles.teacher, session=ended, notes="", body=body(250))
    assert "至少 300 字，目前 250 字" in exc.value.message_dict["body"][0]


def test_spaces_count_nowhere(ended, county, roles):
    """A reflection of exactly the minimum with many spaces: accepted and credited (before, credit counted the spaces
    and the submission did not, so the two disagreed on padded or short texts)."""
    policy_minimum(county, 240)
    reflection = services.reflection_submit(actor=roles.teacher, session=ended, notes="", body=body(240))
    assert len(reflection.plain_text) > 240 and reflection_rules.reflection_length(reflection) == 240
    evidence = session_evidence(ended)[roles.teacher.person.pk]
    assert evidence.reflection.chars == 240 and evidence.reflection.minimum == 240 and evidence.reflection.long_enough


def test_a_reflection_accepted_before_the_rule_was_raised_keeps_its_credit(ended, county, roles):
    """Acceptance judges the length once, by the rule then in force; raising the rule later
    never takes the credit of an accepted reflection away (silently or otherwise)."""
    policy_minimum(county, 50)
    reflection = services.reflection_submit(actor=roles.teacher, session=ended, notes="", body=body(60))
    services.reflection_review(actor=roles.school_admin, reflection=reflection, accept=True)
    services.reflection_rule_set(actor=roles.school_admin, session=ended, min_reflection_chars=100)
    result = credit_school_session(actor=roles.school_admin, session=ended)
    assert result.credited and not result.skipped


def test_a_reflection_below_the_rule_in_force_cannot_be_accepted(ended, county, roles):
    """Submitted under a lower rule, reviewed after the rule was raised: the reviewer is told
    the count and the minimum and must return it; nothing is changed."""
    policy_minimum(county, 50)
    reflection = services.reflection_submit(actor=roles.teacher, session=ended, notes="", body=body(60))
    services.reflection_rule_set(actor=roles.school_admin, session=ended, min_reflection_chars=100)
    with pytest.raises(ValidationError) as exc:
        services.reflection_review(actor=roles.school_admin, reflection=reflection, accept=True)
    assert "60 字，少于本次活动要求的 100 字" in exc.value.messages[0]
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED
