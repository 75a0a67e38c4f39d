"""How long a session's notes and reflection must be, and how their length is counted.

One rule, used where a reflection is submitted (``services.reflection_submit``) and
where credit checks the reflection (``selectors.session_evidence``, read by credits):

- the minimum is the session's own rule (``ReflectionRule``) when one was set, else the
  reflection minimum of the county policy in force for the session's school year
  (``Policy.min_reflection_chars``, when above 0), else ``YANXIU_REFLECTION_MIN_CHARS``;
- the length is :func:`visible_length` of the reflection's plain text (whitespace does
  not count).

So a reflection accepted at submission is never refused credit for its length, and a
reflection too short for credit is refused at submission, with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

DEFAULT_MIN_REFLECTION_CHARS = 200

_UNSET = object()


@dataclass(frozen=True)
class ReflectionMinimum:
    reflection_chars: int
    notes_chars: int
    source: str  # "session" (the session's rule), "policy" (the county policy) or "setting"


def visible_length(text: str) -> int:
    """Characters that count towards a minimum length (whitespace does not)."""
    return sum(1 for ch in text or "" if not ch.isspace())


def reflection_length(reflection) -> int:
    """The counted length of a saved reflection (its plain text, kept at submission)."""
    text = reflection.plain_text
    if not text and reflection.body:
        from .services import plain_text

        text = plain_text(reflection.body)
    return visible_length(text)


def session_county(session):
    """The county whose policy governs the session: the running school's, else the project's region."""
    project = session.project
    return project.owner_school.county if project.owner_school_id else project.region


def policy_spec_for(session):
    """The county policy in force for the session's school year, or None."""
    from yanxiu.policy.selectors import school_year_for, spec_in_force

    county = session_county(session)
    if county is None:
        return None
    return spec_in_force(county, school_year_for(county, timezone.localtime(session.starts_at).date()))


def setting_minimum() -> int:
    return int(getattr(settings, "YANXIU_REFLECTION_MIN_CHARS", DEFAULT_MIN_REFLECTION_CHARS))


def minimum_for(session, *, rule=_UNSET, spec=_UNSET) -> ReflectionMinimum:
    """The minimum lengths that apply to the session's notes and reflection.

    ``rule`` (the session's ``ReflectionRule`` or None) and ``spec`` (the policy in
    force or None) may be passed when the caller has already read them."""
    from .models import ReflectionRule

    if rule is _UNSET:
        rule = ReflectionRule.objects.filter(session_id=session.pk).first()
    if rule is not None:
        return ReflectionMinimum(rule.min_reflection_chars, rule.min_notes_chars, "session")
    if spec is _UNSET:
        spec = policy_spec_for(session)
    if spec is not None and spec.min_reflection_chars:
        return ReflectionMinimum(spec.min_reflection_chars, 0, "policy")
    return ReflectionMinimum(setting_minimum(), 0, "setting")
