"""The annual inspection pack (年检材料) of one school and one school year, as one zip.

Seed 002 §5.4: at the end of each year the bureau inspects each school's
school-based training; the school hands in its process materials, its 《校本研修
工作总结》 and the teachers' growth records. The pack gathers them, each part in a
folder of its own:

- ``01 计划与安排``: the school's year plan and the schedule of its sessions of the
  year (by term: date, title, kind, presenter, place, hours), .docx and .pdf;
- ``02 通报``: the county's notices of the year naming the school, as issued (.pdf);
- ``03 签到表``: the sign-in sheet of each session held (``attendance.exports``);
- ``04 学时台账``: the credit register of the school's teachers (``reports.registers``);
- ``05 公示``: the credit postings of the year with their objections and answers;
- ``06 资料目录``: the index of the year's session materials (``archive``), with the
  files themselves when small (each up to :data:`MATERIAL_FILE_MAX`, in all up
  to :data:`MATERIAL_TOTAL_MAX`; the index says which are in the pack);
- ``07 成长档案``: each current teacher's growth record of the year (.pdf);
- ``08 工作总结``: the year-end summary, .docx and .pdf (``reports.summary``);

and ``目录.txt`` listing every file and what could not be included. Every part is
read as the user who asked for the pack may read it (a role that may not export
sign-in sheets gets none, and the list says so). The zip is written entry by
entry to a file (:func:`write_pack` takes an open file), never held in memory.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import params
from yanxiu.core.downloads import safe_name
from yanxiu.org import scopes

from . import measures
from .documents import Document, Heading, Paragraph, Table, render

#: Materials larger than this are listed in the index but not copied into the pack.
MATERIAL_FILE_MAX = 5 * 1024 * 1024
#: At most this many bytes of materials are copied into one pack.
MATERIAL_TOTAL_MAX = 100 * 1024 * 1024


def can_build_pack(user, school) -> bool:
    """The school's admin and region staff (bureau, training centre) over it."""
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties


def check_year(year: int) -> int:
    try:
        return params.check_year(int(year))
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from exc


def year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def folders() -> dict[str, str]:
    return {
        "plan": _("01 计划与安排"), "notices": _("02 通报"), "sheets": _("03 签到表"), "register": _("04 学时台账"),
        "postings": _("05 公示"), "materials": _("06 资料目录"), "growth": _("07 成长档案"), "summary": _("08 工作总结"),
    }


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _hours(value: Decimal | None) -> str:
    return f"{value:.1f}" if value is not None else ""


# --- What goes in ----------------------------------------------------------------------


def school_plan(school, year: int):
    from yanxiu.training.models import SchoolPlan

    return SchoolPlan.objects.filter(school=school, school_year=year_label(year)).prefetch_related("projects").first()


def plan_document(school, year: int) -> Document | None:
    plan = school_plan(school, year)
    if plan is None:
        return None
    blocks: list = [Paragraph(line) for line in (plan.summary or "").splitlines() if line.strip()]
    if not blocks:
        blocks.append(Paragraph(_("（计划未填写概要。）"), "note"))
    projects = list(plan.projects.all().order_by("pk"))
    if projects:
        blocks.append(Heading(_("计划中的培训项目")))
        blocks.append(Table([_("项目名称"), _("培训级别"), _("培训形式"), _("状态")],
                            [[p.title, p.get_level_display(), p.get_kind_display(), p.get_status_display()] for p in projects]))
    return Document(title=plan.title or _("%(school)s %(year)s 学年校本研修计划") % {"school": school.name, "year": year_label(year)},
                    blocks=blocks, signature=school.name, date=timezone.localtime(plan.updated_at).date())


def year_sessions(school, year: int):
    """The school's published sessions of the year (held or to come), in order: the schedule."""
    start, end = measures.year_span(school.county, year)
    return (measures.sessions_in(start, end).filter(project__owner_school=school)
            .select_related("project", "presenter").order_by("starts_at", "pk"))


def schedule_document(school, year: int, sessions) -> Document:
    from yanxiu.growth.calendar import terms_of_year

    headers = [_("日期"), _("活动名称"), _("形式"), _("主讲人"), _("地点"), _("学时")]
    terms = terms_of_year(school, year)
    by_term: dict[int, list] = {term.number: [] for term in terms}
    other: list = []
    for s in sessions:
        day = timezone.localtime(s.starts_at).date()
        row = [_local(s.starts_at), s.title, s.project.get_kind_display(), s.presenter_display, s.place, _hours(s.hours)]
        term = next((t for t in terms if t.start <= day <= t.end), None)
        (by_term[term.number] if term else other).append(row)
    blocks: list = []
    for term in terms:
        blocks.append(Heading(f"{term.label}（{term.start:%Y-%m-%d} 至 {term.end:%Y-%m-%d}）"))
        blocks.append(Table(headers, by_term[term.number]) if by_term[term.number] else Paragraph(_("本学期没有安排活动。"), "note"))
    if other:
        blocks.append(Heading(_("假期及其他时间")))
        blocks.append(Table(headers, other))
    total = sum((s.hours for s in sessions), Decimal("0"))
    blocks.append(Paragraph(_("共 %(n)d 次活动，合计 %(hours)s 学时。") % {"n": len(sessions), "hours": _hours(total)}, "plain"))
    return Document(title=_("%(school)s %(year)s 学年培训活动安排表") % {"school": school.name, "year": year_label(year)},
                    blocks=blocks, signature=school.name, date=timezone.localdate())


def _names_school(notice, school) -> bool:
    from .notices import names_school

    scope = notice.scope if isinstance(notice.scope, dict) else {}
    return school.pk in (scope.get("schools") or []) or names_school(notice.rows if isinstance(notice.rows, list) else [], {school.pk})


def school_notices(school, year: int) -> list:
    """The county's notices dated in the year that name the school (in their scope or their rows)."""
    from .models import OfficialNotice

    start, end = measures.year_span(school.county, year)
    notices = OfficialNotice.objects.filter(region_id=school.county_id, date__gte=start, date__lte=end).order_by("date", "number_seq")
    return [n for n in notices.iterator(chunk_size=200) if _names_school(n, school)]


def notice_document(notice) -> Document:
    """The notice as issued, in the layout the notices pages give it."""
    from .notices import notice_document as build

    return build(notice)


def held_sessions(school, year: int):
    start, end = measures.year_span(school.county, year)
    return measures.held_sessions([school], start, end).select_related("project", "project__owner_school").order_by("starts_at", "pk")


def school_postings(user, school, year: int):
    from yanxiu.credits.selectors import postings_visible_to

    start, end = measures.year_span(school.county, year)
    return (postings_visible_to(user).filter(school=school, period_start__lte=end, period_end__gte=start)
            .prefetch_related("objections__person").order_by("period_start", "pk"))


def postings_document(school, year: int, postings) -> Document:
    blocks: list = []
    for posting in postings:
        blocks.append(Heading(posting.title))
        blocks.append(Paragraph(
            _("登记期 %(start)s 至 %(end)s；公示期 %(from)s 至 %(to)s（%(days)d 天）；%(status)s；公示记录 %(n)d 条。") % {
                "start": posting.period_start.isoformat(), "end": posting.period_end.isoformat(),
                "from": _local(posting.starts_at), "to": _local(posting.ends_at), "days": posting.days,
                "status": posting.get_status_display(), "n": posting.entry_count}, "plain"))
        objections = sorted(posting.objections.all(), key=lambda o: (o.created_at, o.pk))
        if objections:
            blocks.append(Table(
                [_("提出人"), _("异议理由"), _("提出时间"), _("处理结果"), _("处理意见"), _("处理时间")],
                [[o.person.name, o.reason, _local(o.created_at), o.get_status_display(), o.resolution, _local(o.resolved_at)]
                 for o in objections]))
        else:
            blocks.append(Paragraph(_("公示期内无异议。"), "note"))
    if not blocks:
        blocks.append(Paragraph(_("本学年没有学时公示。"), "note"))
    return Document(title=_("%(school)s %(year)s 学年学时公示及异议处理情况") % {"school": school.name, "year": year_label(year)},
                    blocks=blocks, signature=school.name, date=timezone.localdate())


def register_entries(user, school, year: int):
    """The credit register of the school's year: the ledger rows of its current teachers, as the user reads them."""
    from yanxiu.org.models import Employment

    from .registers import entries_visible_to

    teachers = Employment.objects.current().filter(school=school).values("person_id")
    return (entries_visible_to(user).filter(school_year=year, person_id__in=teachers)
            .order_by("person__name", "person_id", "seq"))


def growth_people(user, school):
    """The school's current teachers the user may see; each record is then cut to what the user may read."""
    return [e.person for e in scopes.employments_visible_to(user).current().filter(school=school)
            .select_related("person").order_by("person__name", "person_id")]


# --- Writing the zip ---------------------------------------------------------------------


@dataclass
class PackResult:
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, folder: str) -> int:
        return sum(1 for name in self.files if name.startswith(folder + "/"))


class _Pack:
    def __init__(self, archive: zipfile.ZipFile, step: Callable[[str], None]):
        self.archive, self.step = archive, step
        self.result = PackResult()
        self.used: set[str] = set()

    def name(self, folder: str, stem: str, ext: str) -> str:
        base = f"{folder}/{safe_name(stem)}"
        candidate, n = f"{base}.{ext}", 2
        while candidate in self.used:
            candidate, n = f"{base} ({n}).{ext}", n + 1
        self.used.add(candidate)
        return candidate

    def add(self, folder: str, stem: str, ext: str, content: bytes) -> str:
        arcname = self.name(folder, stem, ext)
        self.archive.writestr(arcname, content)
        self.result.files.append(arcname)
        return arcname

    def add_file(self, arcname: str, source, *, compress: int = zipfile.ZIP_DEFLATED) -> None:
        info = zipfile.ZipInfo(arcname, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = compress
        info.external_attr = 0o644 << 16
        with self.archive.open(info, "w") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        self.result.files.append(arcname)

    def document(self, folder: str, stem: str, document: Document, formats=("docx", "pdf")) -> None:
        for fmt in formats:
            self.add(folder, stem, fmt, render(document, fmt))

    def note(self, text: str) -> None:
        self.result.notes.append(text)


def pack_steps(user, school, year: int) -> int:
    """How many steps :func:`write_pack` reports (its progress bar's length)."""
    from yanxiu.archive.selectors import library_materials

    return (5 + len(school_notices(school, year)) + held_sessions(school, year).count()
            + library_materials(user=user, school=school, year=year).count() + len(growth_people(user, school)))


def write_pack(target, *, user, school, year: int, progress: Callable[[int], None] | None = None) -> PackResult:
    """Write the inspection pack of ``school`` and ``year`` as ``user`` may read it into the open file ``target``."""
    check_year(year)
    done = 0

    def step(_what: str = "") -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done)

    f = folders()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        pack = _Pack(archive, step)
        _write_plan(pack, f["plan"], school, year)
        _write_notices(pack, f["notices"], school, year)
        _write_sheets(pack, f["sheets"], user, school, year)
        _write_register(pack, f["register"], user, school, year)
        _write_postings(pack, f["postings"], user, school, year)
        _write_materials(pack, f["materials"], user, school, year)
        _write_growth(pack, f["growth"], user, school, year)
        _write_summary(pack, f["summary"], school, year)
        archive.writestr(safe_name(_("目录")) + ".txt", contents_text(pack.result, school, year).encode("utf-8"))
    return pack.result


def contents_text(result: PackResult, school, year: int) -> str:
    lines = [_("%(school)s %(year)s 学年校本研修年检材料") % {"school": school.name, "year": year_label(year)},
             _("生成时间：%(when)s") % {"when": _local(timezone.now())}, ""]
    current = None
    for name in result.files:
        folder = name.split("/", 1)[0]
        if folder != current:
            lines.append(f"{folder}/")
            current = folder
        lines.append(f"  {name.split('/', 1)[1]}")
    lines.append("")
    lines.append(_("共 %(n)d 个文件。") % {"n": len(result.files)})
    if result.notes:
        lines += ["", _("说明：")] + [f"- {note}" for note in result.notes]
    return "\n".join(lines) + "\n"


def _absent(pack: _Pack, folder: str, text: str) -> None:
    """A folder without its material still holds a note saying so."""
    pack.add(folder, _("说明"), "txt", (text + "\n").encode("utf-8"))
    pack.note(text)


def _write_plan(pack: _Pack, folder: str, school, year: int) -> None:
    plan = plan_document(school, year)
    if plan is None:
        _absent(pack, folder, _("%(year)s 学年没有学校年度研修计划。") % {"year": year_label(year)})
    else:
        pack.document(folder, _("学校年度研修计划"), plan)
    pack.step()
    sessions = list(year_sessions(school, year))
    pack.document(folder, _("培训活动安排表"), schedule_document(school, year, sessions))
    pack.step()


def _write_notices(pack: _Pack, folder: str, school, year: int) -> None:
    notices = school_notices(school, year)
    for notice in notices:
        pack.document(folder, f"{notice.doc_number} {notice.title}", notice_document(notice), formats=("pdf",))
        pack.step()
    if not notices:
        _absent(pack, folder, _("本学年没有点名本校的通报。"))


def _write_sheets(pack: _Pack, folder: str, user, school, year: int) -> None:
    from yanxiu.attendance import access as attendance_access
    from yanxiu.attendance.exports import sheet_workbook
    from yanxiu.attendance.selectors import attendance_sheet

    written = refused = 0
    for session in held_sessions(school, year).iterator(chunk_size=200):
        if attendance_access.can_view_sheet(user, session):
            rows = attendance_sheet(user=user, session=session)
            pack.add(folder, f"{_local(session.starts_at, '%Y-%m-%d')} {session.title}", "xlsx", sheet_workbook(session, rows))
            written += 1
        else:
            refused += 1
        pack.step()
    if refused:
        pack.note(_("您的角色不能导出本校活动的签到表，%(n)d 份签到表未包含。") % {"n": refused})
    if not written:
        _absent(pack, folder, _("本学年没有可包含的已开展活动签到表。"))


def _write_register(pack: _Pack, folder: str, user, school, year: int) -> None:
    from .registers import counts_credits, write_entries_xlsx

    handle, temp = tempfile.mkstemp(prefix="yanxiu-register-", suffix=".xlsx")
    os.close(handle)
    try:
        write_entries_xlsx(temp, register_entries(user, school, year), with_credits=counts_credits(school.county, year))
        with open(temp, "rb") as source:
            pack.add_file(pack.name(folder, _("学时台账"), "xlsx"), source)
    finally:
        os.unlink(temp)
    pack.step()


def _write_postings(pack: _Pack, folder: str, user, school, year: int) -> None:
    postings = list(school_postings(user, school, year))
    pack.document(folder, _("学时公示及异议处理"), postings_document(school, year, postings))
    if not postings:
        pack.note(_("本学年没有学时公示。"))
    pack.step()


def _write_materials(pack: _Pack, folder: str, user, school, year: int) -> None:
    from yanxiu.archive.exports import session_folder
    from yanxiu.archive.selectors import library_materials, session_date
    from yanxiu.core import xlsx

    copied = skipped = 0
    total = 0
    index = []
    attachments = _("资料")
    for material in library_materials(user=user, school=school, year=year).iterator(chunk_size=500):
        where, attached = "", False
        if material.size > MATERIAL_FILE_MAX:
            where = _("未附：超过 %(mb)d MB，见学校资源库") % {"mb": MATERIAL_FILE_MAX // (1024 * 1024)}
        elif total + material.size > MATERIAL_TOTAL_MAX:
            where = _("未附：本包资料已达 %(mb)d MB，见学校资源库") % {"mb": MATERIAL_TOTAL_MAX // (1024 * 1024)}
        else:
            arcname = pack.name(f"{folder}/{attachments}/{session_folder(material.session)}", material.title,
                                material.extension or "bin")
            try:
                with material.file.open("rb") as source:
                    pack.add_file(arcname, source)
            except OSError:
                where = _("未附：文件已不在服务器上")
            else:
                where, attached = arcname.split("/", 1)[1], True
                total += material.size
                copied += 1
        skipped += not attached
        index.append([material.title, material.get_kind_display(), material.session.title, session_date(material.session),
                      material.uploader_name, _local(material.uploaded_at), material.size_label, where])
        pack.step()
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(_("资料目录"))
    xlsx.append(ws, [_("序号"), _("资料名称"), _("资料类型"), _("培训活动"), _("活动日期"), _("上传人"), _("上传时间"), _("大小"), _("本包位置")])
    for number, row in enumerate(index, start=1):
        xlsx.append(ws, [number, *row])
    pack.add(folder, _("资料目录"), "xlsx", xlsx.to_bytes(wb))
    if skipped:
        pack.note(_("资料共 %(n)d 份，附入 %(copied)d 份，其余 %(skipped)d 份只列入目录。") % {
            "n": len(index), "copied": copied, "skipped": skipped})


def _write_growth(pack: _Pack, folder: str, user, school, year: int) -> None:
    from yanxiu.growth.record_file import record_file
    from yanxiu.growth.year_tasks import file_pdf

    written = 0
    for person in growth_people(user, school):
        f = record_file(user, person, year)
        if f is not None:
            pack.add(folder, f"{person.name} {_('成长记录袋')}", "pdf", file_pdf(f))
            written += 1
        pack.step()
    if not written:
        _absent(pack, folder, _("没有可包含的教师成长记录袋。"))


def _write_summary(pack: _Pack, folder: str, school, year: int) -> None:
    from .summary import summary_document, summary_of

    pack.document(folder, _("校本培训工作总结"), summary_document(school, year))
    summary = summary_of(school, year)
    if summary is None or not summary.is_filed:
        pack.note(_("年度工作总结尚未报送，包中为按本学年数据起草的稿件。"))
    pack.step()
