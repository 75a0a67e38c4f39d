"""``yanxiu year_summary``: one JSON object of the figures, and a .docx (read back by LibreOffice) and a PDF
(read back by pypdf) quoting the same values; a bad school or year exits 2 with a Chinese message and no file."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from tests.credits.factories import YEAR
from tests.reports.office import docx_text
from tests.reports.summary_data import build
from yanxiu.reports.figures import value_text


@pytest.fixture
def data(people, school, school_b):
    return build(people, school, school_b)


def run(*args) -> str:
    out = io.StringIO()
    call_command("year_summary", *args, stdout=out)
    return out.getvalue()


def test_the_json_is_one_object_with_every_figure(data, school):
    payload = json.loads(run("--school", school.code, "--year", str(YEAR), "--json"))
    assert payload["school"] == school.code and payload["school_year"] == YEAR
    values = {f["key"]: f["value"] for f in payload["figures"]}
    assert {"teachers", "average_hours", "compliance_rate", "sessions_held", "person_times", "collective_preparations",
            "public_lessons", "routine_inspections", "awards"} <= set(values)
    assert values["teachers"] == 5 and values["average_hours"] == 41.2 and values["compliance_rate"] == 0.4
    assert values["sessions_held"] == 3 and values["person_times"] == 6 and values["collective_preparations"] == 4
    assert values["public_lessons"] == 2 and values["routine_inspections"] == 2 and values["awards"] == 3
    assert all(set(f) == {"key", "label", "value", "source"} and f["label"] and f["source"] for f in payload["figures"])


def test_the_docx_and_the_pdf_quote_the_same_values_as_the_json(data, school, tmp_path):
    docx, pdf = tmp_path / "总结.docx", tmp_path / "总结.pdf"
    payload = json.loads(run("--school", school.code, "--year", str(YEAR), "--json", "--docx", str(docx), "--pdf", str(pdf)))
    text = docx_text(docx)  # LibreOffice reads it: each table cell on its own line
    assert "长沙县星沙第一小学2025—2026学年校本培训工作总结" in text and "附：数据来源" in text
    for figure in payload["figures"]:
        cell = "\n".join([figure["label"], value_text(figure["key"], figure["value"]), figure["source"]])
        assert cell in text, figure["key"]
    assert "本学年共开展校本研修活动 3 次，参训 6 人次" in text and "达标率 40.0%" in text
    pages = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    flat = pages.replace("\n", "").replace(" ", "")
    for figure in payload["figures"]:
        assert figure["label"].replace(" ", "") in flat, figure["key"]
    for quoted in ("本学年共开展校本研修活动3次，参训6人次", "达标率40.0%", "人均取得41.2学时", "市级一等奖1项"):
        assert quoted in flat


@pytest.mark.parametrize("args, message", [
    (("--school", "9999999999", "--year", str(YEAR)), "没有学校标识码为 9999999999 的学校"),
    (("--school", "4301210001", "--year", "20x5"), "学年须为四位数的年份"),
    (("--school", "4301210001", "--year", "1990"), "年份须在"),
    (("--school", "4301210001", "--year", "2099"), "年份须在"),
])
def test_a_bad_school_or_year_exits_2_with_a_chinese_message_and_writes_no_file(school, tmp_path, args, message):
    target = tmp_path / "out.docx"
    with pytest.raises(CommandError) as exc:
        run(*args, "--json", "--docx", str(target))
    assert exc.value.returncode == 2 and message in str(exc.value)
    assert not target.exists()


def test_a_year_not_begun_exits_2(school, tmp_path):
    from django.utils import timezone

    next_year = timezone.localdate().year + 1
    with pytest.raises(CommandError) as exc:
        run("--school", school.code, "--year", str(next_year), "--json")
    assert exc.value.returncode == 2 and "尚未开始" in str(exc.value)


def test_a_missing_folder_exits_2_before_anything_is_written(school, tmp_path):
    with pytest.raises(CommandError) as exc:
        run("--school", school.code, "--year", str(YEAR), "--pdf", str(tmp_path / "nope" / "a.pdf"))
    assert exc.value.returncode == 2 and "不存在" in str(exc.value)


def test_a_filed_summary_is_written_from_its_snapshot_as_the_web_download(data, people, school, tmp_path, client):
    from django.urls import reverse

    from tests.credits.factories import credit
    from yanxiu.reports.services.summary import summary_file, summary_save

    admin = people.role("school_admin", username="summaryadmin", school=school)
    summary = summary_file(actor=admin, summary=summary_save(actor=admin, school=school, year=YEAR, title="",
                                                             sections={"goals": "我校的目标。"}))
    filed = {f["key"]: f["value"] for f in summary.figures}
    credit(data.c, 28, title="报送后登记的培训")  # the ledger moves on after filing: 丙老师 20 → 48
    live = {f["key"]: f["value"] for f in json.loads(run("--school", school.code, "--year", str(YEAR), "--json"))["figures"]}
    assert filed["average_hours"] == 41.2 and live["average_hours"] == 46.8 and live["compliance_rate"] == 0.6

    docx, pdf = tmp_path / "总结.docx", tmp_path / "总结.pdf"
    run("--school", school.code, "--year", str(YEAR), "--docx", str(docx), "--pdf", str(pdf))
    client.force_login(admin)
    download = reverse("reports:summary_download", args=[school.pk])
    web_docx, web_pdf = tmp_path / "web.docx", tmp_path / "web.pdf"
    web_docx.write_bytes(client.get(download, {"year": YEAR, "format": "docx"}).content)
    web_pdf.write_bytes(client.get(download, {"year": YEAR, "format": "pdf"}).content)

    text = docx_text(docx)
    assert text == docx_text(web_docx)
    assert "我校的目标。" in text and "达标率 40.0%" in text and "人均取得 41.2 学时" in text and "46.8" not in text
    pages = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert pages == "".join(page.extract_text() for page in PdfReader(web_pdf).pages)
    assert "达标率40.0%" in pages.replace("\n", "").replace(" ", "")
