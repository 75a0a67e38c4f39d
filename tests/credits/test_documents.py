"""Transcripts and certificates as official documents: issuing body, seal,
verification code and QR, Chinese text readable in PDFium, Poppler and MuPDF;
codes without look-alike characters, checked by anyone at /credits/verify/."""

import io
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.credits import codes
from yanxiu.credits.models import Certificate, TranscriptRecord
from yanxiu.credits.services import certificate_issue


@pytest.fixture
def teacher(roles, school):
    adopt("000", school.county)
    person = roles.teacher.person
    credit(person, 26, title="校本研修：同课异构")
    credit(person, 14.5, kind="centralised", title="县级新课标培训")
    return person


def transcript(client, user, person, **query):
    client.force_login(user)
    response = client.get(reverse("credits:transcript_pdf", args=[person.pk]), {"year": YEAR, **query})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response


def certificate_pdf(client, user, person):
    cert = certificate_issue(actor=None, person=person, title="新课标校本研修", organiser="长沙县第一中学", hours=12, school_year=YEAR,
                             source_key="project:1")
    client.force_login(user)
    response = client.get(reverse("credits:certificate_pdf", args=[cert.code]))
    assert response.status_code == 200
    return cert, response.content


def _run(tmp_path, data: bytes, *command) -> subprocess.CompletedProcess:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60, check=True)


def texts(tmp_path, data: bytes) -> dict[str, str]:
    """The text of a PDF as four independent readers extract it."""
    import pypdfium2

    found = {"pypdf": "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)}
    document = pypdfium2.PdfDocument(data)
    found["pdfium"] = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    if shutil.which("pdftotext"):
        path = tmp_path / "doc.pdf"
        path.write_bytes(data)
        found["poppler"] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    if shutil.which("mutool"):
        path = tmp_path / "doc.pdf"
        path.write_bytes(data)
        run = subprocess.run(["mutool", "draw", "-F", "txt", "-o", "-", str(path)], capture_output=True, text=True, timeout=60, check=True)
        # A broken embedded font shows as glyphs MuPDF cannot load.
        assert "FT_Load_Glyph" not in run.stderr and "cannot load" not in run.stderr, run.stderr
        found["mupdf"] = run.stdout
    return {reader: re.sub(r"\s+", "", text) for reader, text in found.items()}


def assert_fonts_embedded_as_truetype(tmp_path, data: bytes):
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    lines = _run(tmp_path, data, "pdffonts").stdout.splitlines()[2:]
    assert lines
    for line in lines:
        assert "CID TrueType" in line and " yes yes yes " in line, line  # embedded, subset, with a ToUnicode map


def test_the_transcript_is_an_official_document_readable_in_every_reader(client, teacher, roles, school, tmp_path):
    response = transcript(client, roles.teacher, teacher)
    record = TranscriptRecord.objects.get(person=teacher)
    shown = codes.display(record.code)
    assert re.fullmatch(r"[%s]{4}(-[%s]{4}){3}" % (codes.ALPHABET, codes.ALPHABET), shown)
    for reader, text in texts(tmp_path, response.content).items():
        for expected in ("教师继续教育学时证明", "张老师", "同课异构", "县级新课标培训", "出具单位", school.name, "盖章", "特此证明",
                         shown, "40.5"):
            assert expected in text, (reader, expected)
    assert_fonts_embedded_as_truetype(tmp_path, response.content)


def test_the_transcript_has_a_chinese_file_name(client, teacher, roles):
    disposition = unquote(transcript(client, roles.teacher, teacher)["Content-Disposition"])
    assert "学时证明" in disposition and "张老师" in disposition and disposition.endswith(".pdf") or ".pdf" in disposition


def test_the_same_transcript_reuses_its_code_and_a_changed_one_gets_a_new_code(client, teacher, roles):
    transcript(client, roles.teacher, teacher)
    transcript(client, roles.teacher, teacher)
    assert TranscriptRecord.objects.filter(person=teacher).count() == 1
    credit(teacher, 2, title="读书分享")
    transcript(client, roles.teacher, teacher)
    assert TranscriptRecord.objects.filter(person=teacher).count() == 2


def test_the_transcript_qr_leads_to_a_public_page_confirming_its_content(client, teacher, roles):
    transcript(client, roles.teacher, teacher)
    record = TranscriptRecord.objects.get(person=teacher)
    assert record.snapshot["total_hours"] == "40.5" and record.holder_name == "张老师"
    client.logout()
    typed = codes.display(record.code).lower().replace("-", " ")
    page = client.get(reverse("credits:verify_form"), {"code": typed})
    text = page.content.decode()
    assert page.status_code == 200
    assert "学时证明真实有效" in text and "张老师" in text and "同课异构" in text and "40.5" in text
    assert teacher.id_number not in text
    assert client.get(reverse("credits:verify", args=[record.code])).status_code == 200


def test_the_certificate_renders_chinese_in_every_reader(client, teacher, roles, tmp_path):
    cert, data = certificate_pdf(client, roles.teacher, teacher)
    for reader, text in texts(tmp_path, data).items():
        for expected in ("培训证书", "张老师", "新课标校本研修", codes.display(cert.code)):
            assert expected in text, (reader, expected)
    assert_fonts_embedded_as_truetype(tmp_path, data)


def test_new_codes_avoid_look_alike_characters():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 16 and not set(code) & set("0O1IL") and code == code.upper()
    assert codes.normalise(" 7kqm-3xrt－9adf　2hnp ") == "7KQM3XRT9ADF2HNP"
    assert codes.display("7KQM3XRT9ADF2HNP") == "7KQM-3XRT-9ADF-2HNP"


def test_a_certificate_code_is_found_whatever_the_case_spaces_and_dashes(client, teacher):
    cert = certificate_issue(actor=None, person=teacher, title="新课标校本研修", organiser="长沙县第一中学", hours=12, school_year=YEAR,
                             source_key="project:1")
    assert not set(cert.code) & set("0O1IL")
    for typed in (cert.code, cert.code.lower(), codes.display(cert.code), " " + codes.display(cert.code).lower().replace("-", " ") + " "):
        page = client.get(reverse("credits:verify_form"), {"code": typed})
        assert page.status_code == 200 and "证书有效" in page.content.decode(), typed
    assert client.get(reverse("credits:verify", args=[cert.code.lower()])).status_code == 200


def test_codes_issued_before_the_new_alphabet_keep_verifying(client, teacher):
    old = Certificate.objects.create(code="aB3_x-Yz9Qw2Lm0K", person=teacher, title="旧证书", organiser="县教师发展中心", hours=8,
                                     school_year=YEAR, issued_on="2025-11-01", source_key="old:1")
    for typed in (old.code, old.code.upper()):
        page = client.get(reverse("credits:verify_form"), {"code": typed})
        assert page.status_code == 200 and "旧证书" in page.content.decode(), typed
    assert client.get(reverse("credits:verify", args=[old.code])).status_code == 200


def test_the_verify_form_is_public_and_reports_unknown_and_oversized_codes(client, db):
    page = client.get(reverse("credits:verify_form"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    missing = client.get(reverse("credits:verify_form"), {"code": "ABCD-EFGH-JKMN-PQRS"})
    assert missing.status_code == 404 and "没有找到验证码为“ABCD-EFGH-JKMN-PQRS”" in missing.content.decode()
    huge = client.get(reverse("credits:verify_form"), {"code": "A" * 5000})
    assert huge.status_code == 404 and "验证码格式不正确" in huge.content.decode()
    echoed = re.search(r'name="code" class="form-control" value="([^"]*)"', huge.content.decode()).group(1)
    assert len(echoed) <= codes.MAX_INPUT
