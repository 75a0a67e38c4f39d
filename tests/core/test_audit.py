"""Writing audit rows: catalogue events only, with the school and county they concern."""

from __future__ import annotations

import pytest

from yanxiu.core import audit
from yanxiu.core.events import Event, UnknownEvent
from yanxiu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_catalogue_event_is_stored_under_its_code(roles, school):
    event = audit.record(actor=roles.school_admin, event=Event.SCHOOL_UPDATE, target=school, changed=["name"])
    event.refresh_from_db()
    assert event.action == "school.update" and event.target_type == "org.school" and event.target_id == str(school.pk)
    assert event.detail == {"changed": ["name"]} and event.actor == roles.school_admin


def test_a_school_names_its_county_too(roles, school):
    event = audit.record(actor=roles.school_admin, event=Event.SCHOOL_UPDATE, target=school, school=school)
    assert (event.school_id, event.county_id) == (school.pk, school.county_id)
    assert event.detail == {}


def test_ids_are_taken_as_given_and_a_county_alone_is_enough(roles, school, other_county):
    by_ids = audit.record(actor=None, event=Event.SCHOOL_UPDATE, target=school, school=school.pk, county=school.county_id)
    assert (by_ids.school_id, by_ids.county_id) == (school.pk, school.county_id)
    county_only = audit.record(actor=None, event=Event.POLICY_SAVE, target=other_county, county=other_county)
    assert (county_only.school_id, county_only.county_id) == (None, other_county.pk)
    explicit = audit.record(actor=None, event=Event.SCHOOL_UPDATE, target=school, school=school, county=other_county.pk)
    assert explicit.county_id == other_county.pk


def test_an_account_event_concerns_no_school(roles):
    event = audit.record(actor=roles.teacher, event=Event.ACCOUNT_PASSWORD_SET, target=roles.teacher)
    assert event.school_id is None and event.county_id is None and event.actor == roles.teacher


def test_an_unknown_code_raises_before_anything_is_written(roles, school):
    with pytest.raises(UnknownEvent):
        audit.record(actor=roles.school_admin, event="school.renamed_by_hand", target=school)
    with pytest.raises(TypeError):  # the free-text spelling is gone
        audit.record(actor=roles.school_admin, action="school.update", target=school)
    with pytest.raises(TypeError):
        audit.record(actor=roles.school_admin, target=school)
    assert not AuditEvent.objects.exists()


def test_a_known_code_string_reads_as_its_member(roles, school):
    event = audit.record(actor=None, event="school.update", target=school)
    assert event.action == Event.SCHOOL_UPDATE


def test_a_school_given_by_its_code_is_refused(roles, school):
    """The column holds ids; a code (a string) would silently scope the row to nobody."""
    with pytest.raises(TypeError):
        audit.record(actor=None, event=Event.SCHOOL_UPDATE, target=school, school=school.code)
    with pytest.raises(TypeError):
        audit.record(actor=None, event=Event.SCHOOL_UPDATE, target=school, county="430121")
    assert not AuditEvent.objects.exists()


def test_labels_come_from_the_catalogue():
    assert audit.action_label("posting.create") == "发布公示" == Event.POSTING_CREATE.label
    assert audit.action_label("no.such.code") == "其他操作"
    assert audit.ACTION_LABELS["claim.verify"] == Event.CLAIM_VERIFY.label
