"""Each credit entry shows what stands behind it, with the document where there is one."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from tests.credits.factories import YEAR, adopt
from tests.credits.test_sources import session_setup  # noqa: F401  (fixture)
from yanxiu.credits.services import activity_credit, claim_submit, claim_verify, credit_school_session
from yanxiu.policy.selectors import school_year_for

pytestmark = pytest.mark.django_db


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_session_credit_shows_its_sign_in_times_and_reflection(client, session_setup, roles):  # noqa: F811
    session, persons = session_setup
    credit_school_session(actor=roles.school_admin, session=session)
    person = persons["全做到"]
    client.force_login(roles.school_admin)
    year = school_year_for(session.project.region, timezone.localdate(session.starts_at))
    text = client.get(reverse("credits:person", args=[person.pk]) + f"?year={year}").content.decode()
    signed_in = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    assert f"签到 {signed_in}" in text and "签退" in text and "反思已通过（120 字）" in text


def test_certificate_and_activity_entries_link_to_their_documents_for_allowed_users(client, roles, school):
    adopt("000", school.county)
    claim = claim_submit(actor=roles.teacher, title="市级班主任培训", organiser="长沙市教育局", level="city", kind="centralised",
                         hours=Decimal("12"), start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 2),
                         certificate_no="CS-2025-0042", file=png("证书.png"))
    claim_verify(actor=roles.school_admin, claim=claim)
    record = activity_credit(actor=roles.school_admin, person=roles.teacher.person, activity_type="public_lesson", title="公开课",
                             date=dt.date(2025, 10, 1), proof="听课记录 12 份", proof_file=png("听课记录.png"))
    client.force_login(roles.teacher)
    text = client.get(reverse("credits:mine") + f"?year={YEAR}").content.decode()
    assert "学校已审核，证书编号 CS-2025-0042，主办单位 长沙市教育局" in text
    assert reverse("credits:claim_file", args=[claim.pk]) in text
    assert "证明：听课记录 12 份" in text and reverse("credits:activity_proof", args=[record.pk]) in text
    proof = client.get(reverse("credits:activity_proof", args=[record.pk]))
    assert proof.status_code == 200 and proof["Content-Type"] == "image/png" and proof["Content-Security-Policy"] == "sandbox"
    client.force_login(roles.other_admin)  # another school's record is not found at all
    assert client.get(reverse("credits:activity_proof", args=[record.pk])).status_code == 404
    client.force_login(roles.school_admin)
    sheet = load_workbook(io.BytesIO(client.get(reverse("credits:transcript_xlsx", args=[roles.teacher.person.pk]) + f"?year={YEAR}").content))
    rows = list(sheet.active.iter_rows(values_only=True))
    assert rows[1][7] == "证据" and any(r[7] and "CS-2025-0042" in r[7] for r in rows[2:])
