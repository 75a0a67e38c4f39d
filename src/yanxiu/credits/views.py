"""Pages of the ledger: my credits, school and county lists, import, postings,
certificate claims, activities, transcripts and public certificate checks."""

from __future__ import annotations

import datetime as dt
import io
from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yanxiu.org import scopes
from yanxiu.core import params, public_url, uploads
from yanxiu.core import downloads, jobs, xlsx
from yanxiu.core.crud import ServiceActionView, ServiceFormView, apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org.models import Person
from yanxiu.credits.compliance import Status

from . import codes, evidence, selectors, services, tasks
from .forms import ActivityForm, ClaimForm, ClaimReviewForm, ImportForm, ObjectionForm, PostingForm, ResolveForm, ReverseForm
from .importer import import_results
from .ledger import can_reverse, credit_reverse
from .models import Objection, Posting
from .pdf import qr_svg, render_pdf


DENIED = gettext_lazy("您没有权限访问此页面。")


def _year(request, county=None) -> int:
    return params.year_param(request.GET) or selectors.current_school_year(county)


def _my_person(request) -> Person:
    person = selectors.my_person(request.user)
    if person is None:
        raise Http404(_("当前账号没有关联教师档案。"))
    return person


# --- Teacher ------------------------------------------------------------------


def _with_evidence(entries) -> list:
    entries = list(entries)
    for e in entries:
        e.evidence_view = evidence.describe(e)
    return entries


def _person_page(request, person, *, template="credits/person.html"):
    employment = person.current_employment
    county = employment.school.county if employment else None
    year = _year(request, county)
    row = selectors.person_compliance(person, year)
    cycle = selectors.person_compliance(person, year, cycle=True)
    entries = _with_evidence(selectors.entries_for(person, (year, year)))
    if row is not None:
        start, end = row.spec.year_start(year), row.spec.year_end(year)
    else:
        start, end = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    uncredited = selectors.uncredited_sessions(person, start, end)
    open_postings = list(selectors.open_postings_for(person, employment.school)) if employment else []
    is_self = scopes.scope_of(request.user).person_id == person.pk
    context = {
        "person": person, "employment": employment, "year": year, "row": row, "cycle": cycle, "entries": entries,
        "open_postings": open_postings, "years": range(year - 4, year + 2), "uncredited": uncredited,
        "objections": selectors.person_objections(person)[:20],
        "claims": selectors.person_claims(person)[:20],
        "certificates": selectors.person_certificates(person)[:50],
        "is_self": is_self,
        "can_revoke": bool(employment) and selectors.can_manage_school_credits(request.user, employment.school),
        "page_title": _("我的学时") if is_self else _("%(name)s 的学时") % {"name": person.name},
    }
    return render(request, template, context)


@login_required
def my_credits(request):
    return _person_page(request, _my_person(request))


@login_required
def person_credits(request, pk):
    person = get_object_or_404(selectors.people_visible_to(request.user), pk=pk)
    scopes.require(selectors.can_view_person_credits(request.user, person), DENIED)
    return _person_page(request, person)


# --- Lists ----------------------------------------------------------------------
# The compliance lists page their rows: a school's teachers, a county's schools.
# The counts by status above each list are those of the whole school or county.


def _amount(value) -> str:
    return floatformat(value, "-1")


def _status_columns(in_progress: bool) -> tuple[str, ...]:
    """The statuses a list shows: a running year has no negative verdict yet."""
    return (Status.MET, Status.IN_PROGRESS, Status.AT_RISK) if in_progress else (Status.MET, Status.BELOW, Status.FAIL)


class SchoolListView(ScopedListView):
    """A school's teachers with their hours by kind, status and the reason, filtered by status."""

    template_name = "credits/school_list.html"
    empty_message = gettext_lazy("没有在职教师，或本区域该学年尚未制定学时政策。")
    export_filename = gettext_lazy("学时达标情况")
    export_fallback = "compliance"
    table_id = "compliance-table"

    def check_permission(self):
        self.school = get_object_or_404(selectors.schools_visible_to(self.request.user), pk=self.kwargs["pk"])
        scopes.require(selectors.can_view_school_credits(self.request.user, self.school), DENIED)
        self.year = _year(self.request, self.school.county)

    def get_queryset(self):
        self.standing = selectors.school_standing(self.school, self.year, status=self.request.GET.get("status", ""))
        return self.standing["rows"]

    def get_columns(self):
        year = self.year
        return [
            Column("name", gettext_lazy("姓名"), link=lambda r: reverse("credits:person", args=[r.person_id]) + f"?year={year}"),
            Column("total", gettext_lazy("合计"), value=lambda r: _amount(r.total), export_value=lambda r: float(r.total), classes="text-end"),
            *[Column(kind, label, value=lambda r, k=kind: _amount(r.by_kind[k]), export_value=lambda r, k=kind: float(r.by_kind[k]),
                     classes="text-end")
              for kind, label in (("centralised", gettext_lazy("集中")), ("online", gettext_lazy("网络")),
                                  ("school_based", gettext_lazy("校本")))],
            Column("status", gettext_lazy("状态"), template="credits/_status.html", export_value=lambda r: r.status_label),
            Column("reason", gettext_lazy("说明"), classes="small"),
        ]

    def get_export_filename(self):
        return downloads.filename(_("学时达标情况"), self.school.name, f"{self.year}-{self.year + 1}", ext="xlsx")

    @staticmethod
    def _terms(school, year: int) -> list[dict]:
        """Each term's ended sessions not registered yet: how many are ready, and what the others wait for."""
        terms = []
        for term, label in ((1, _("上学期")), (2, _("下学期"))):
            ready, waiting = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, year, term))
            if ready or waiting:
                terms.append({"term": term, "label": label, "ready": ready, "waiting": waiting})
        return terms

    def get_context_data(self, **kwargs):
        user, school, year = self.request.user, self.school, self.year
        can_manage = scopes.can_manage_school(user, school)
        kwargs.update(
            school=school, year=year, years=range(year - 4, year + 2), counts=self.standing["counts"], all=self.standing["all"],
            status=self.standing["status"], in_progress=self.standing["in_progress"], can_manage=can_manage,
            page_title=_("%(school)s 学时达标情况") % {"school": school.name},
            sessions=selectors.sessions_to_credit(user, school=school) if can_manage else [],
            terms=self._terms(school, year) if can_manage else [],
            claims=selectors.school_claims_to_review(user, school),
            projects=selectors.credited_projects(school, year) if can_manage else [],
        )
        return kwargs


school_list = SchoolListView.as_view()


class CountyListView(ScopedListView):
    """A county's schools, each with its teachers by status, charted page by page."""

    template_name = "credits/county_list.html"
    table_template = "credits/_county_table.html"
    empty_message = gettext_lazy("没有数据，或该学年尚未制定学时政策。")
    export_filename = gettext_lazy("各校学时达标情况")
    export_fallback = "county-compliance"
    table_id = "county-table"

    def check_permission(self):
        self.county = get_object_or_404(selectors.counties_visible_to(self.request.user), pk=self.kwargs["pk"])
        scopes.require(selectors.can_view_county_credits(self.request.user, self.county), DENIED)
        self.year = _year(self.request, self.county)

    def get_queryset(self):
        self.standing = selectors.county_standing(self.county, self.year)
        return self.standing["schools"]

    def get_columns(self):
        year = self.year
        return [
            Column("code", gettext_lazy("学校标识码"), value=itemgetter("code"), show=False),
            Column("name", gettext_lazy("学校"), value=itemgetter("name"),
                   link=lambda s: reverse("credits:school", args=[s["id"]]) + f"?year={year}"),
            Column("total", gettext_lazy("教师"), value=itemgetter("total"), classes="text-end"),
            *[Column(status, gettext_lazy(Status.LABELS[status]), value=itemgetter(status), classes="text-end")
              for status in _status_columns(self.standing["in_progress"])],
        ]

    def get_export_filename(self):
        return downloads.filename(_("各校学时达标情况"), self.county.name, f"{self.year}-{self.year + 1}", ext="xlsx")

    def get_context_data(self, **kwargs):
        schools = list(kwargs["page_obj"].object_list)
        colours = {Status.MET: "#198754", Status.IN_PROGRESS: "#0dcaf0", Status.AT_RISK: "#ffc107", Status.BELOW: "#ffc107",
                   Status.FAIL: "#dc3545"}
        chart = {
            "categories": [s["name"] for s in schools],
            "series": [{"name": _(Status.LABELS[status]), "data": [s[status] for s in schools], "color": colours[status]}
                       for status in _status_columns(self.standing["in_progress"])],
        }
        kwargs.update(
            county=self.county, year=self.year, years=range(self.year - 4, self.year + 2), counts=self.standing["counts"],
            in_progress=self.standing["in_progress"], chart=chart, schools=schools,
            page_title=_("%(county)s 学时达标情况") % {"county": self.county.name},
        )
        return kwargs


county_list = CountyListView.as_view()


@login_required
def overview(request):
    """Where each role starts: its counties, its schools, or its own page."""
    counties, schools = selectors.overview_for(request.user)
    if not counties and not schools:
        return redirect("credits:mine")
    return render(request, "credits/overview.html", {"counties": counties, "schools": schools, "page_title": _("学时管理")})


# --- Import ---------------------------------------------------------------------


@login_required
def import_page(request):
    scopes.require(selectors.can_import_results(request.user), DENIED)
    result, dry_run = None, False
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            if upload.size > jobs.inline_import_bytes():  # read, checked and written by a background job
                return redirect(tasks.start_results_import(user=request.user, upload=upload, dry_run=dry_run,
                                                           school_year=form.cleaned_data["school_year"]))
            try:
                result = import_results(actor=request.user, name=upload.name, data=upload.read(),
                                        school_year=form.cleaned_data["school_year"], dry_run=form.cleaned_data["dry_run"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            if result is not None and result.ok and not form.cleaned_data["dry_run"]:
                messages.success(request, _("已导入 %(n)d 条合格记录。") % {"n": result.credited})
    else:
        form = ImportForm(initial={"school_year": selectors.current_school_year(), "dry_run": True})
        result, dry_run = tasks.results_import_of(request.user, request.GET.get("job"))  # a job started here
    return render(request, "credits/import.html", {"form": form, "result": result, "dry_run": dry_run, "page_title": _("导入上级培训结果")})


# --- Postings --------------------------------------------------------------------


def _period(posting) -> str:
    start, end = timezone.localtime(posting.starts_at), timezone.localtime(posting.ends_at)
    return f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M}"


class PostingListView(ScopedListView):
    """The postings the user may see, newest first, searchable by title or school."""

    template_name = "credits/posting_list.html"
    page_title = gettext_lazy("学时公示")
    empty_message = gettext_lazy("暂无公示。")
    search_fields = ("title", "school__name")
    search_placeholder = gettext_lazy("标题或学校")
    export_filename = gettext_lazy("学时公示")
    export_fallback = "postings"
    columns = [
        Column("title", gettext_lazy("标题"), link=lambda p: reverse("credits:posting_detail", args=[p.pk])),
        Column("school", gettext_lazy("学校"), value="school.name"),
        Column("period", gettext_lazy("公示期"), value=_period, classes="small"),
        Column("entry_count", gettext_lazy("记录"), classes="text-end"),
        Column("open_objections", gettext_lazy("待处理异议"), classes="text-end"),
        Column("status", gettext_lazy("状态"), value="get_status_display", template="credits/_posting_status.html"),
    ]

    def get_queryset(self):
        services.posting_finalize_due(actor=None)  # a posting whose period is over is final before it is listed
        return selectors.postings_visible_to(self.request.user).order_by("-starts_at", "-pk")

    def get_context_data(self, **kwargs):
        kwargs["schools"] = selectors.posting_schools(self.request.user)
        return kwargs


posting_list = PostingListView.as_view()


class PostingCreateView(ServiceFormView):
    form_class = PostingForm
    page_title = gettext_lazy("发布学时公示")
    submit_label = gettext_lazy("发布公示")
    success_message = gettext_lazy("公示已发布。")

    def get_object(self):
        school = get_object_or_404(selectors.schools_visible_to(self.request.user), pk=self.kwargs["school_id"])
        scopes.require(scopes.can_manage_school(self.request.user, school), DENIED)
        return school

    def get_initial(self):
        today = timezone.localdate()
        return {"title": _("%(month)s 学时公示") % {"month": today.strftime("%Y年%m月")}, "period_start": today.replace(day=1), "period_end": today, "days": 5}

    def perform(self, form):
        return services.posting_create(actor=self.request.user, school=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("credits:posting_detail", args=[result.pk])


def _visible_posting(request, pk) -> Posting:
    posting = selectors.postings_visible_to(request.user).filter(pk=pk).first()
    if posting is None:
        raise Http404
    return posting


def _posting_manager(request, posting) -> bool:
    return selectors.can_manage_school_credits(request.user, posting.school)


def _render_posting(request, posting, *, objection_form=None, resolve_forms=None, status=200):
    s = scopes.scope_of(request.user)
    manager = _posting_manager(request, posting)
    board = selectors.posting_board(posting, q=request.GET.get("q", ""))
    objections = selectors.posting_objections(request.user, posting)
    can_resolve = scopes.can_manage_school(request.user, posting.school)
    resolve_forms = resolve_forms or {}
    for o in objections:
        o.resolve_form = resolve_forms.get(o.pk) or ResolveForm(initial=_resolve_initial(o))
        if can_resolve and o.status == Objection.Status.OPEN and o.entry_id is None:
            # 补录: the teacher's attendance and reflection for the session named, or for each uncredited one.
            sessions = [o.session] if o.session_id else selectors.objection_sessions(o.person_id, posting)
            records = selectors.session_record(o.person_id, [x.pk for x in sessions])
            o.evidence_rows = [{"session": x, **records[x.pk]} for x in sessions]
    can_object = s.person_id is not None and posting.status == Posting.Status.OPEN and timezone.now() < posting.ends_at
    return render(request, "credits/posting_detail.html", {
        "posting": posting, "board": board, "objections": objections, "manager": manager,
        "can_resolve": can_resolve, "can_object": can_object,
        "objection_form": objection_form or ObjectionForm(),
        "objection_sessions": selectors.objection_sessions(s.person_id, posting) if can_object else [],
        "history": selectors.posting_history(posting) if manager else [],
        "page_title": posting.title,
    }, status=status)


def _resolve_initial(objection) -> dict:
    if objection.session_id:
        from yanxiu.policy.models import credit_kind_for_training

        session = objection.session
        project = session.project
        title = f"{project.title}·{session.title}" if session.title != project.title else project.title
        return {"title": title, "hours": session.hours, "kind": credit_kind_for_training(level=project.level, kind=project.kind)}
    return {}


@login_required
def posting_detail(request, pk):
    services.posting_finalize_due(actor=None)
    return _render_posting(request, _visible_posting(request, pk))


@login_required
def posting_print(request, pk):
    """The posting laid out for the notice board (A4, no menus), printed from the browser."""
    posting = _visible_posting(request, pk)
    board = selectors.posting_board(posting, q=request.GET.get("q", ""))
    return render(request, "credits/posting_print.html", {"posting": posting, "board": board, "printed": timezone.localdate(),
                                                           "page_title": posting.title})


@login_required
def posting_export(request, pk):
    """The posting as a spreadsheet for the notice board: names, entries, hours and credits, totals; no ID numbers."""
    posting = _visible_posting(request, pk)
    scopes.require(_posting_manager(request, posting), DENIED)
    board = selectors.posting_board(posting, q=request.GET.get("q", ""))
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = _("学时公示")
    xlsx.append(ws, [posting.title, posting.school.name])
    xlsx.append(ws, [_("登记日期"), f"{posting.period_start:%Y-%m-%d} — {posting.period_end:%Y-%m-%d}",
                     _("公示期"), f"{timezone.localtime(posting.starts_at):%Y-%m-%d %H:%M} — {timezone.localtime(posting.ends_at):%Y-%m-%d %H:%M}"])
    xlsx.append(ws, [])
    xlsx.append(ws, [_("序号"), _("姓名"), _("培训名称"), _("类别"), _("学时"), _("学分"), _("登记日期")])
    number = 0
    for person in board["people"]:
        for e in person["entries"]:
            number += 1
            xlsx.append(ws, [number, person["name"], e.title, e.get_kind_display(), float(e.hours), float(e.credits),
                             timezone.localtime(e.created_at).strftime("%Y-%m-%d")])
        xlsx.append(ws, ["", person["name"], _("小计"), "", float(person["hours"]), float(person["credits"]), ""])
    xlsx.append(ws, ["", _("合计"), _("%(n)d 人，%(m)d 条") % {"n": len(board["people"]), "m": board["count"]}, "",
                     float(board["hours"]), float(board["credits"]), ""])
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("学时公示"), posting.school.name, posting.title, ext="xlsx"),
                              fallback=f"posting-{posting.pk}.xlsx")


@login_required
@require_POST
def objection_create(request, pk):
    posting = _visible_posting(request, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        entry = session = None
        if form.cleaned_data.get("entry"):
            entry = get_object_or_404(selectors.entries_visible_to(request.user), pk=form.cleaned_data["entry"])
        if form.cleaned_data.get("session"):
            session = selectors.sessions_visible_to(request.user).filter(pk=form.cleaned_data["session"]).first()
            if session is None:
                form.add_error("session", _("没有这个培训活动。"))
        if not form.errors:
            try:
                services.objection_file(actor=request.user, posting=posting, entry=entry, session=session, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("异议已提交，等待学校处理。"))
                return redirect("credits:posting_detail", pk=posting.pk)
    # What was typed stays in the form, with the problem next to it.
    return _render_posting(request, posting, objection_form=form, status=400)


@login_required
@require_POST
def objection_resolve(request, pk):
    objection = get_object_or_404(selectors.objections_visible_to(request.user), pk=pk)
    posting = _visible_posting(request, objection.posting_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.objection_resolve(actor=request.user, objection=objection, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("异议已处理。"))
            return redirect("credits:posting_detail", pk=objection.posting_id)
    # What was typed stays in the form, with the problem next to it.
    return _render_posting(request, posting, resolve_forms={objection.pk: form}, status=400)


class EntryReverseView(ServiceActionView):
    """The 冲正 button on a ledger line: appends its reversal, with the reason typed beside it."""

    success_message = gettext_lazy("已冲正。")

    def get_object(self):
        return get_object_or_404(selectors.entries_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        scopes.require(can_reverse(self.request.user, self.object), DENIED)

    def perform(self):
        form = ReverseForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("冲正必须填写原因。"))
        return credit_reverse(actor=self.request.user, entry=self.object, reason=form.cleaned_data["reason"])

    def get_back_url(self):
        return reverse("credits:person", args=[self.object.person_id])


entry_reverse = EntryReverseView.as_view()


# --- Claims and activities ---------------------------------------------------------


class ClaimCreateView(ServiceFormView):
    form_class = ClaimForm
    page_title = gettext_lazy("提交培训证书")
    submit_label = gettext_lazy("提交审核")
    success_message = gettext_lazy("证书已提交，学校审核后计入学时。")

    def check(self):
        _my_person(self.request)

    def build_form(self, data=None, files=None):
        return ClaimForm(data=data, files=files)

    def perform(self, form):
        fields = {k: v for k, v in form.cleaned_data.items()}
        return services.claim_submit(actor=self.request.user, **fields)

    def get_success_url(self, result):
        return reverse("credits:mine")


class ClaimReviewView(ServiceFormView):
    """The school's admin verifies a teacher's certificate (its hours are credited) or sends it back."""

    form_class = ClaimReviewForm
    template_name = "credits/claim_review.html"
    page_title = gettext_lazy("审核培训证书")

    def get_object(self):
        claim = get_object_or_404(selectors.claims_visible_to(self.request.user), pk=self.kwargs["pk"])
        scopes.require(scopes.can_manage_school(self.request.user, claim.school), DENIED)
        return claim

    def build_form(self, data=None, files=None):
        return ClaimReviewForm(data)

    def get_context_data(self, **kwargs):
        kwargs["claim"] = self.object
        return kwargs

    def perform(self, form):
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        if decision == "verify":
            result = services.claim_verify(actor=self.request.user, claim=self.object, comment=comment)
            messages.success(self.request, _("已认定，学时已登记。"))
        else:
            result = services.claim_reject(actor=self.request.user, claim=self.object, comment=comment)
            messages.success(self.request, _("已退回。"))
        return result

    def get_success_url(self, result):
        return reverse("credits:school", args=[self.object.school_id])


claim_review = ClaimReviewView.as_view()


@login_required
def claim_file(request, pk):
    claim = get_object_or_404(selectors.claims_visible_to(request.user), pk=pk)
    s = scopes.scope_of(request.user)
    scopes.require(claim.person_id == s.person_id or scopes.can_manage_school(request.user, claim.school), DENIED)
    return uploads.evidence_response(claim.file, download_name=f"{_('证书扫描件')}-{claim.title}", fallback=f"claim-{claim.pk}")


@login_required
def activity_proof(request, pk):
    record = get_object_or_404(selectors.activity_records_visible_to(request.user), pk=pk)
    s = scopes.scope_of(request.user)
    scopes.require(record.person_id == s.person_id or scopes.can_manage_school(request.user, record.school), DENIED)
    if not record.proof_file:
        raise Http404(_("没有证明文件。"))
    return uploads.evidence_response(record.proof_file, download_name=f"{_('证明文件')}-{record.title}", fallback=f"activity-{record.pk}")


class ActivityCreateView(ServiceFormView):
    form_class = ActivityForm
    page_title = gettext_lazy("登记研修活动（公开课、获奖、师徒结对…）")
    submit_label = gettext_lazy("登记并计入学时")
    success_message = gettext_lazy("已登记，学时按政策上限计入。")

    def get_object(self):
        school = get_object_or_404(selectors.schools_visible_to(self.request.user), pk=self.kwargs["school_id"])
        scopes.require(scopes.can_manage_school(self.request.user, school), DENIED)
        return school

    def get_form_kwargs(self):
        return {"people": selectors.current_staff(self.object)}

    def perform(self, form):
        return services.activity_credit(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("credits:school", args=[self.object.pk])


class SessionCreditView(ServiceActionView):
    """Register the credit of an ended school session from its attendance and reflections
    (who may is decided by the service: the school's admins, or region staff for a bureau session)."""

    def get_object(self):
        return get_object_or_404(selectors.sessions_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.credit_school_session(actor=self.request.user, session=self.object)

    def get_success_message(self, result):
        skipped = "；".join(f"{p.name}：{reason}" for p, reason in result.skipped)
        return _("已为 %(n)d 人登记学时。") % {"n": len(result.credited)} + (_(" 未登记：%(s)s") % {"s": skipped} if skipped else "")

    def get_back_url(self):
        return reverse("credits:overview")


session_credit = SessionCreditView.as_view()


class TermSessionsCreditView(ServiceActionView):
    """Register the credit of every ready session of a term of the school (all or none)."""

    def get_object(self):
        return get_object_or_404(selectors.schools_visible_to(self.request.user), pk=self.kwargs["pk"])

    def check_permission(self):
        scopes.require(scopes.can_manage_school(self.request.user, self.object), DENIED)

    def perform(self):
        year = params.year_param(self.request.POST) or selectors.current_school_year(self.object.county)
        term = 2 if self.request.POST.get("term") == "2" else 1
        start, end = selectors.term_span(self.object.county, year, term)
        ready, _waiting = selectors.sessions_ready_to_credit(self.object, start, end)
        self.left = max(0, len(ready) - services.TERM_BATCH_MAX)  # a long term is registered a batch per click
        return services.credit_school_sessions(actor=self.request.user, sessions=ready[:services.TERM_BATCH_MAX])

    def get_success_message(self, result):
        message = _("已登记 %(s)d 次活动的学时，共 %(n)d 人次。") % {"s": len(result), "n": sum(len(r.credited) for r in result)}
        if self.left:
            message += _("每次最多登记 %(max)d 次，还有 %(left)d 次就绪的活动，请再点一次。") % {
                "max": services.TERM_BATCH_MAX, "left": self.left}
        return message

    def get_back_url(self):
        return reverse("credits:school", args=[self.object.pk])


term_sessions_credit = TermSessionsCreditView.as_view()


# --- Transcripts and certificates -----------------------------------------------------------


def _transcript_context(request, person, *, cycle: bool):
    scopes.require(selectors.can_view_person_credits(request.user, person), DENIED)
    employment = person.current_employment
    year = _year(request, employment.school.county if employment else None)
    row = selectors.person_compliance(person, year, cycle=cycle)
    years = row.years if row else (year, year)
    entries = _with_evidence(selectors.entries_for(person, years))
    return {"person": person, "employment": employment, "row": row, "years": years, "entries": entries,
            "issued": timezone.localdate(), "cycle": cycle}


@login_required
def transcript_pdf(request, pk):
    person = get_object_or_404(selectors.people_visible_to(request.user), pk=pk)
    context = _transcript_context(request, person, cycle=request.GET.get("cycle") == "1")
    employment = context["employment"]
    snapshot = selectors.transcript_snapshot(person=person, employment=employment, row=context["row"], entries=context["entries"],
                                             years=context["years"], cycle=context["cycle"])
    record = services.transcript_issue(actor=request.user, person=person, years=context["years"], cycle=context["cycle"],
                                       snapshot=snapshot, school=employment.school if employment else None)
    url = public_url.absolute_url(reverse("credits:verify", args=[record.code]), request)
    pdf = render_pdf("credits/pdf/transcript.html", {**context, "record": record, "snapshot": snapshot, "qr": qr_svg(url), "verify_url": url})
    return downloads.download(pdf, content_type="application/pdf", name=_transcript_filename(context, "pdf"),
                              fallback=f"transcript-{context['years'][0]}.pdf")


def _transcript_filename(context, ext: str) -> str:
    """学时证明-<name>-<school years>.<ext>"""
    y0, y1 = context["years"]
    return downloads.filename(_("学时证明"), context["person"].name, f"{y0}-{y1 + 1}", ext=ext)


@login_required
def transcript_xlsx(request, pk):
    person = get_object_or_404(selectors.people_visible_to(request.user), pk=pk)
    context = _transcript_context(request, person, cycle=request.GET.get("cycle") == "1")
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = "学时证明"
    y0, y1 = context["years"]
    xlsx.append(ws, [_("学时证明"), person.name, f"{y0}-{y1 + 1}"])
    xlsx.append(ws, [_("学年"), _("培训名称"), _("类别"), _("内容类别"), _("学时"), _("学分"), _("来源"), _("证据"), _("登记时间"), _("说明")])
    for e in context["entries"]:
        xlsx.append(ws, [f"{e.school_year}-{e.school_year + 1}", e.title, e.get_kind_display(), e.category, float(e.hours), float(e.credits),
                   e.get_source_type_display(), e.evidence_view.text, timezone.localtime(e.created_at).strftime("%Y-%m-%d"), e.reason])
    row = context["row"]
    if row:
        xlsx.append(ws, [])
        xlsx.append(ws, [_("合计"), float(row.total), row.unit, row.status_label, row.reason])
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE, name=_transcript_filename(context, "xlsx"),
                              fallback=f"transcript-{y0}.xlsx")


def _certificate_pdf(request, cert) -> bytes:
    return tasks.certificate_pdf(cert, request)


@login_required
def certificate_pdf(request, code):
    cert = get_object_or_404(selectors.certificates_visible_to(request.user), code=code)
    scopes.require(selectors.can_view_person_credits(request.user, cert.person), DENIED)
    return downloads.download(_certificate_pdf(request, cert), content_type="application/pdf",
                              name=downloads.filename(_("培训证书"), cert.person.name, cert.code, ext="pdf"),
                              fallback=f"certificate-{cert.code}.pdf")


@login_required
def school_certificates_zip(request, pk):
    school = get_object_or_404(selectors.schools_visible_to(request.user), pk=pk)
    scopes.require(selectors.can_view_school_credits(request.user, school), DENIED)
    year = _year(request, school.county)
    certificates = selectors.school_certificates(school, year).order_by("pk")
    if certificates.count() > jobs.inline_files():  # rendering many PDFs: a job with a progress bar
        job = jobs.start(user=request.user, kind="credits.certificates_zip", task=tasks.school_certificates_zip,
                         label=_("培训证书打包：%(school)s %(year)s") % {"school": school.name, "year": f"{year}-{year + 1}"},
                         school_id=school.pk, year=year)
        return redirect(job)
    buffer = io.BytesIO()
    tasks.write_certificates_zip(buffer, certificates, request=request)
    return downloads.download(buffer.getvalue(), content_type="application/zip",
                              name=downloads.filename(_("培训证书"), school.name, f"{year}-{year + 1}", ext="zip"),
                              fallback=f"certificates-{school.code}-{year}.zip")


def verify(request, code=None):
    """Public check of a certificate or a transcript by its code, typed or scanned:
    no login, no personal data beyond the name. Case, spaces and dashes do not matter."""
    typed = code if code is not None else request.GET.get("code", "")
    typed = (typed or "").strip()[: codes.MAX_INPUT + 1]
    cert = transcript = None
    if typed:
        cert = selectors.find_certificate(typed)
        transcript = None if cert is not None else selectors.find_transcript(typed)
    found = cert is not None or transcript is not None
    status = 200 if found or not typed else 404
    return render(request, "credits/verify.html", {
        "cert": cert, "transcript": transcript, "typed": typed[: codes.MAX_INPUT], "searched": bool(typed),
        "too_long": len(typed) > codes.MAX_INPUT, "page_title": _("证书与学时证明验证"),
    }, status=status)


@login_required
@require_POST
def project_certificates(request, pk):
    project = get_object_or_404(selectors.projects_visible_to(request.user), pk=pk)
    if tasks.project_is_large(project):  # many participants: issued and rendered as PDFs by a background job
        scopes.require(project.owner_school is None or scopes.can_manage_school(request.user, project.owner_school))
        job = jobs.start(user=request.user, kind="credits.project_certificates", task=tasks.project_certificates,
                         label=_("颁发并打包培训证书：%(title)s") % {"title": project.title},
                         project_id=project.pk, next_url=params.safe_next(request, reverse("credits:overview")))
        return redirect(job)
    certs = services.certificates_for_session_project(actor=request.user, project=project)
    messages.success(request, _("已为 %(n)d 人颁发“%(title)s”培训证书。") % {"n": len(certs), "title": project.title})
    return redirect(params.safe_next(request, reverse("credits:overview")))


class CertificateRevokeView(ServiceActionView):
    """Revoke a certificate (the reason is required by the service); back to the holder's page."""

    success_message = gettext_lazy("证书已撤销。")

    def get_object(self):
        return get_object_or_404(selectors.certificates_visible_to(self.request.user), code=self.kwargs["code"])

    def check_permission(self):
        school = self.object.school
        scopes.require(school is not None and selectors.can_manage_school_credits(self.request.user, school), DENIED)

    def perform(self):
        return services.certificate_revoke(actor=self.request.user, certificate=self.object, reason=self.request.POST.get("reason", ""))

    def get_back_url(self):
        return reverse("credits:person", args=[self.object.person_id])


certificate_revoke = CertificateRevokeView.as_view()
