"""The year-end summary: the draft from the figures, the document and its appendix, save / file / reopen,
the filed summary frozen against later records, and who may do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document as DocxDocument

from tests.credits.factories import YEAR, credit
from tests.reports.summary_data import NOW, build
from yanxiu.core.models import AuditEvent
from yanxiu.reports import documents
from yanxiu.reports.figures import by_key, school_figures, value_text
from yanxiu.reports.models import SUMMARY_SECTIONS, YearSummary
from yanxiu.reports.services.summary import summary_file, summary_reopen, summary_save
from yanxiu.reports.summary import draft_sections, plan_skeleton, summary_document


@pytest.fixture
def data(people, school, school_b):
    return build(people, school, school_b)


@pytest.fixture
def figures(data, school):
    return school_figures(school, YEAR, now=NOW)


@pytest.fixture
def admin(people, school):
    return people.role("school_admin", username="summaryadmin", school=school)


@pytest.fixture
def bureau(people, county):
    return people.role("bureau_admin", username="summarybureau", region=county)


def _text(document: documents.Document) -> str:
    parts = [document.title]
    for block in document.blocks:
        if isinstance(block, documents.Table):
            parts.extend(" | ".join(str(v) for v in row) for row in block.rows)
        else:
            parts.append(block.text)
    return "\n".join(parts)


def _docx_text(data: bytes) -> str:
    doc = DocxDocument(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_draft_quotes_the_figures_in_the_manner_of_seed_000(school, figures):
    text = draft_sections(school, YEAR, figures, as_of=NOW.date())
    assert list(text) == [key for key, _label in SUMMARY_SECTIONS]
    assert "本学年共开展校本研修活动 3 次，参训 6 人次，其中专题讲座 2 次、集体备课 1 次。" in text["activities"]
    assert "开展集体备课 4 次（数学 1 次、语文 3 次）" in text["activities"]
    assert "教学常规检查 2 次" in text["activities"] and "公开课 2 节" in text["activities"]
    assert "全校 5 名教师每人取得不少于 48 学时，其中校本研修不少于 24 学时" in text["goals"]
    assert "无故缺训 1 人次、经批准请假 1 人次" in text["mechanisms"]
    assert "教师 5 人，人均取得 41.2 学时，达标率 40.0%" in text["results"]
    assert "教师获奖 3 项，其中市级一等奖 1 项、县级一等奖 1 项、县级二等奖 1 项" in text["results"]
    assert "仍有 3 名教师未达到学时要求" in text["problems"]
    assert "校本研修不足 24 学时的教师 2 人" in text["problems"]
    assert "数学组" in text["problems"] and "公开课 2 节，尚未做到每位教师" in text["problems"]
    assert "教学技能（3 人）、师德修养（2 人）、信息技术（1 人）" in text["next_steps"]


def test_while_the_year_runs_the_draft_speaks_of_progress_not_a_verdict(school, figures):
    text = draft_sections(school, YEAR, figures, as_of=dt.date(YEAR + 1, 3, 1))
    assert "截至2026年3月1日" in text["results"] and "已有 2 人达到学时要求" in text["results"]
    assert "达标率" not in text["results"]
    assert "尚有 3 名教师未达到学时要求，需在学年结束前补足" in text["problems"]


def test_the_document_has_the_title_the_sections_and_every_figure_in_its_appendix(school, data):
    document = summary_document(school, YEAR, now=NOW)
    assert document.title == "长沙县星沙第一小学2025—2026学年校本培训工作总结"
    headings = [b.text for b in document.blocks if isinstance(b, documents.Heading)]
    assert headings == [str(label) for _key, label in SUMMARY_SECTIONS] + ["附：数据来源"]
    table = [b for b in document.blocks if isinstance(b, documents.Table)][-1]
    figures = school_figures(school, YEAR, now=NOW)
    assert table.headers == ["项目", "数值", "来源"]
    assert table.rows == [[f.label, value_text(f.key, f.value), f.source] for f in figures]
    assert document.signature == school.name


def test_saving_keeps_the_text_and_a_snapshot_of_the_figures(school, data, admin):
    sections = {key: f"{label}的文字" for key, label in SUMMARY_SECTIONS}
    summary = summary_save(actor=admin, school=school, year=YEAR, title="", sections=sections)
    assert summary.title == "长沙县星沙第一小学2025—2026学年校本培训工作总结"
    assert summary.sections == sections and summary.status == YearSummary.Status.DRAFT
    assert by_key(summary.figures)["sessions_held"] == 3 and by_key(summary.figures)["compliance_rate"] == 0.4
    row = AuditEvent.objects.get(action="report.summary_save")
    assert row.school_id == school.pk and row.detail["year"] == YEAR
    text = _text(summary_document(school, YEAR))
    assert "一、目标与机构的文字" in text and "本学年共开展校本研修活动" not in text


def test_saving_without_sections_drafts_them_and_bad_text_is_refused(school, data, admin):
    summary = summary_save(actor=admin, school=school, year=YEAR, title="总结", sections=None)
    assert "本学年共开展校本研修活动 3 次" in summary.sections["activities"]
    with pytest.raises(ValidationError) as exc:
        summary_save(actor=admin, school=school, year=YEAR, title="总结", sections={"goals": "字" * 5001})
    assert "“一、目标与机构”不能超过 5000 字" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        summary_save(actor=admin, school=school, year=YEAR, title="总结", sections={"intro": "x"})
    assert "未知的总结部分" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        summary_save(actor=admin, school=school, year=YEAR + 5, title="", sections={})
    assert "尚未开始" in str(exc.value) or "年份须在" in str(exc.value)


def test_only_the_schools_own_admin_writes(school, data, people, school_b, bureau):
    other_admin = people.role("school_admin", username="otheradmin2", school=school_b)
    teacher = data.a.user
    for actor in (other_admin, teacher, bureau):
        with pytest.raises(PermissionDenied):
            summary_save(actor=actor, school=school, year=YEAR, title="", sections={})
    assert not YearSummary.objects.exists()


def test_a_filed_summary_is_locked_and_its_documents_quote_the_snapshot(school, data, admin, bureau):
    summary = summary_save(actor=admin, school=school, year=YEAR, title="", sections={"goals": "我校的目标。"})
    summary = summary_file(actor=admin, summary=summary)
    assert summary.is_filed and summary.filed_by == admin
    assert summary.sections["goals"] == "我校的目标。" and "本学年共开展校本研修活动 3 次" in summary.sections["activities"]
    before = summary_document(school, YEAR)
    docx_before = _docx_text(documents.to_docx(before))
    # Records change after filing: a teacher gets more hours, another session is held.
    credit(data.c, 30, title="补修")
    from tests.reports.summary_data import _attend, _session, at

    extra = _session(school, "补充活动", "lecture", at(5, 20))
    _attend(extra, [data.a, data.b])
    assert by_key(school_figures(school, YEAR))["sessions_held"] == 4  # live data moved on
    after = summary_document(school, YEAR)
    assert _text(after) == _text(before)
    assert _docx_text(documents.to_docx(after)) == docx_before
    assert "开展校本研修活动" in docx_before and "40.0%" in docx_before
    with pytest.raises(ValidationError) as exc:
        summary_save(actor=admin, school=school, year=YEAR, title="", sections={"goals": "改"})
    assert "已于" in str(exc.value) and "报送，不能再修改" in str(exc.value)
    with pytest.raises(ValidationError):
        summary_file(actor=admin, summary=summary)


def test_region_staff_reopen_a_filed_summary_with_a_reason(school, data, admin, bureau):
    summary = summary_file(actor=admin, summary=summary_save(actor=admin, school=school, year=YEAR, title="", sections=None))
    with pytest.raises(PermissionDenied):
        summary_reopen(actor=admin, summary=summary, reason="自己退回")
    with pytest.raises(ValidationError) as exc:
        summary_reopen(actor=bureau, summary=summary, reason="  ")
    assert "请填写退回原因" in str(exc.value)
    summary = summary_reopen(actor=bureau, summary=summary, reason="请补充获奖情况")
    assert summary.status == YearSummary.Status.DRAFT and summary.filed_at is None
    row = AuditEvent.objects.get(action="report.summary_reopen")
    assert row.detail["reason"] == "请补充获奖情况" and row.county_id == school.county_id
    with pytest.raises(ValidationError):
        summary_reopen(actor=bureau, summary=summary, reason="再退")
    summary_save(actor=admin, school=school, year=YEAR, title="", sections={"goals": "补充后的目标。"})
    assert YearSummary.objects.get().sections["goals"] == "补充后的目标。"


def test_the_plan_skeleton_takes_the_needs_as_themes_and_the_shortfalls_as_measures(school, data):
    document = plan_skeleton(school, YEAR, now=NOW)
    assert document.title == "2026—2027学年校本研修计划（草案）" and document.subtitle == school.name
    tables = [b for b in document.blocks if isinstance(b, documents.Table)]
    assert tables[0].rows == [[1, "教学技能", 3], [2, "师德修养", 2], [3, "信息技术", 1]]
    measures = {row[0]: row[1] for row in tables[1].rows}
    assert measures["学时未达到要求的教师"] == "3 人"
    assert measures["校本研修不足 24 学时"] == "2 人"
    assert "数学组" in measures["集体备课未达每周 2 小时的教研组"]
    assert measures["无故缺训"] == "1 人次"
    assert "每位教师学年内取得不少于 48 学时，其中校本研修不少于 24 学时" in _text(document)
    assert documents.to_docx(document)[:2] == b"PK"
