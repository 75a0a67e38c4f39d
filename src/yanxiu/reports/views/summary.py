"""The year-end summary pages: the school's summary (edit, refresh, file, preview, docx / PDF, next year's plan),
the bureau's list of its schools' summaries, and a filed summary's return (reopen)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org import scopes

from .. import documents
from .. import summary as logic
from ..figures import school_figures, value_text
from ..models import SUMMARY_SECTIONS, YearSummary
from ..services import summary as services

DENIED = gettext_lazy("只有学校管理员和教育局、研训中心可以查看年度工作总结。")
FORMATS = ("docx", "pdf")


def _require_role(user) -> None:
    if not logic.may_use(user):
        raise PermissionDenied(DENIED)


def _school(user, school_id: int):
    """The school of the URL, through the user's readable schools: another school is a 404."""
    pk = params.parse_id(school_id)
    if pk is None:
        raise Http404(_("没有找到该学校。"))
    return get_object_or_404(logic.readable_schools(user).select_related("county"), pk=pk)


def _year(request, school) -> int:
    source = request.POST if request.method == "POST" else request.GET
    return params.year_param(source, "year") or current_school_year(school.county)


def _page_url(school, year: int) -> str:
    return reverse("reports:summary_school", args=[school.pk]) + f"?year={year}"


def _format(request) -> str:
    fmt = str(request.GET.get("format") or "docx").strip().lower()
    if fmt not in FORMATS:
        raise params.BadParameter(_("参数 format 只能是 docx 或 pdf。"))
    return fmt


def _years(school, year: int) -> list[int]:
    this_year = current_school_year(school.county)
    return sorted(set(range(this_year - 4, this_year + 1)) | {year}, reverse=True)


@login_required
def summary_home(request):
    """The menu's entry: a school admin's own summary, region staff's list of their schools."""
    _require_role(request.user)
    s = scopes.scope_of(request.user)
    school = scopes.admin_school(request.user, request.GET.get("school")) if s.admin_schools else None
    if school is not None:
        year = params.year_param(request.GET, "year") or current_school_year(school.county)
        return redirect(_page_url(school, year))
    return redirect("reports:summary_list")


class SummaryForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=services.TITLE_MAX, required=False)

    def __init__(self, *args, readonly: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in SUMMARY_SECTIONS:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=services.SECTION_MAX,
                                               widget=forms.Textarea(attrs={"rows": 6}))
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            if readonly:
                field.widget.attrs["readonly"] = "readonly"


class SummaryPageView(ServiceFormView):
    """The school's summary of a year: the school's admin edits and files it; region staff read it."""

    form_class = SummaryForm
    template_name = "reports/summary/page.html"

    def get_object(self):
        _require_role(self.request.user)
        school = _school(self.request.user, self.kwargs["school_id"])
        self.year = _year(self.request, school)
        self.summary = logic.summary_of(school, self.year)
        self.editable = (logic.can_write(self.request.user, school) and not (self.summary and self.summary.is_filed)
                         and logic.year_begun(school, self.year))
        return school

    def post(self, request, *args, **kwargs):
        self.check()
        if not logic.can_write(request.user, self.object):
            raise PermissionDenied(_("只有本校管理员可以编写年度工作总结。"))
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {"readonly": not self.editable}

    def get_initial(self) -> dict:
        self.content = logic.summary_content(self.object, self.year)
        _summary, title, sections, _figures, _at = self.content
        return {"title": title, **sections}

    def perform(self, form):
        data = form.cleaned_data
        return services.summary_save(actor=self.request.user, school=self.object, year=self.year, title=data["title"],
                                     sections={key: data[key] for key, _label in SUMMARY_SECTIONS})

    def get_success_url(self, result) -> str:
        return _page_url(self.object, self.year)

    @property
    def success_message(self):
        return _("工作总结已保存，数据已按当前记录重新计算。")

    def get_context_data(self, **kwargs):
        school, year, summary = self.object, self.year, self.summary
        if not hasattr(self, "content"):
            self.content = logic.summary_content(school, year)
        _s, title, _sections, figures, computed_at = self.content
        differences = []
        if summary is not None and not summary.is_filed and summary.figures:
            differences = logic.live_differences(summary, school_figures(school, year))
        kwargs.update(
            school=school, year=year, years=_years(school, year), summary=summary, editable=self.editable,
            can_write=logic.can_write(self.request.user, school),
            can_reopen=summary is not None and summary.is_filed and logic.can_reopen(self.request.user, school),
            status=logic.status_label(summary.status if summary else None), differences=differences,
            figures=[{**f, "text": value_text(f["key"], f["value"])} for f in figures], computed_at=computed_at,
            snapshot=summary is not None and bool(summary.figures), reopened=logic.last_reopen(summary),
            begun=logic.year_begun(school, year), page_title=title, back_url=reverse("reports:summary_list") if logic.can_reopen(self.request.user, school) else "",
        )
        return kwargs


class _SummaryAction(ServiceActionView):
    """A button on the summary page: the school and year from the URL and the form."""

    def check_role(self) -> None:
        _require_role(self.request.user)

    def get_object(self):
        self.school = _school(self.request.user, self.kwargs["school_id"])
        self.year = _year(self.request, self.school)
        return logic.summary_of(self.school, self.year)

    def get_back_url(self) -> str:
        return _page_url(self.school, self.year)


class RefreshView(_SummaryAction):
    """Recompute the figures' snapshot keeping the text, or (``redraft``) draft the text again from them."""

    def check_permission(self) -> None:
        if not logic.can_write(self.request.user, self.school):
            raise PermissionDenied(_("只有本校管理员可以编写年度工作总结。"))

    def perform(self):
        redraft = self.request.POST.get("redraft") == "1" or self.object is None
        title = self.object.title if self.object is not None else ""
        sections = None if redraft else self.object.sections
        return services.summary_save(actor=self.request.user, school=self.school, year=self.year, title=title, sections=sections)

    def get_success_message(self, result) -> str:
        if self.request.POST.get("redraft") == "1":
            return _("已按最新数据重新起草各部分文字。")
        return _("数据已按当前记录重新计算。")


class FileView(_SummaryAction):
    def check_permission(self) -> None:
        if not logic.can_write(self.request.user, self.school):
            raise PermissionDenied(_("只有本校管理员可以报送年度工作总结。"))

    def perform(self):
        if self.object is None:
            from django.core.exceptions import ValidationError

            raise ValidationError(_("请先保存工作总结，再报送。"))
        return services.summary_file(actor=self.request.user, summary=self.object)

    def get_success_message(self, result) -> str:
        return _("工作总结已报送，数据和正文已锁定。")


class ReopenView(_SummaryAction):
    def check_permission(self) -> None:
        if not logic.can_reopen(self.request.user, self.school):
            raise PermissionDenied(_("只有教育局或研训中心可以退回学校的工作总结。"))
        if self.object is None:
            raise Http404(_("该学校本学年还没有工作总结。"))

    def perform(self):
        reason = str(self.request.POST.get("reason", ""))[: services.REASON_MAX + 1]
        return services.summary_reopen(actor=self.request.user, summary=self.object, reason=reason)

    def get_success_message(self, result) -> str:
        return _("工作总结已退回学校。")


def _blocks(document: documents.Document) -> list[tuple[str, object]]:
    return [(type(block).__name__.lower(), block) for block in document.blocks]


@login_required
def summary_preview(request, school_id: int):
    _require_role(request.user)
    school = _school(request.user, school_id)
    year = _year(request, school)
    document = logic.summary_document(school, year)
    return render(request, "reports/summary/preview.html", {
        "document": document, "blocks": _blocks(document), "date_text": documents.date_text(document.date),
        "school": school, "year": year, "back_url": _page_url(school, year), "page_title": document.title,
    })


def _send(document: documents.Document, fmt: str, name: str, fallback: str):
    return downloads.download(documents.render(document, fmt), content_type=documents.CONTENT_TYPES[fmt],
                              name=downloads.filename(name, ext=fmt), fallback=f"{fallback}.{fmt}")


@login_required
def summary_download(request, school_id: int):
    _require_role(request.user)
    school = _school(request.user, school_id)
    year, fmt = _year(request, school), _format(request)
    return _send(logic.summary_document(school, year), fmt, logic.document_name(school, year), f"summary-{school.code}-{year}")


@login_required
def summary_plan(request, school_id: int):
    _require_role(request.user)
    school = _school(request.user, school_id)
    year, fmt = _year(request, school), _format(request)
    return _send(logic.plan_skeleton(school, year), fmt, logic.plan_name(school, year), f"plan-{school.code}-{year + 1}")


class StatusFilter(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("学年"), coerce=int, required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}-{y + 1}") for y in years]
        self.fields["status"].choices = [("", _("全部状态"))] + [(k, str(v)) for k, v in logic.STATUS_LABELS.items()]
        self.fields["year"].widget.attrs.update({"class": "form-select", "aria-label": gettext_lazy("学年")})
        self.fields["status"].widget.attrs.update({"class": "form-select", "aria-label": gettext_lazy("状态")})


def _summary_date(school) -> str:
    when = school.summary_filed_at if school.summary_status == YearSummary.Status.FILED else school.summary_updated_at
    return timezone.localtime(when).strftime("%Y-%m-%d") if when else ""


class SummaryListView(ScopedListView):
    """学校总结报送情况: every school of the region with the state of its summary of the year."""

    page_title = gettext_lazy("学校总结报送情况")
    template_name = "reports/summary/list.html"
    empty_message = gettext_lazy("没有学校。")
    search_fields = ["name", "code"]
    search_placeholder = gettext_lazy("学校名称或标识码")
    export_filename = gettext_lazy("学校总结报送情况")
    export_fallback = "summaries"
    filters = StatusFilter

    def check_permission(self) -> None:
        s = scopes.scope_of(self.request.user)
        if not (s.superuser or s.region_counties):
            raise PermissionDenied(_("只有教育局和研训中心可以查看学校总结报送情况。"))
        self.year = params.year_param(self.request.GET, "year") or current_school_year()

    def get_filter_form_kwargs(self) -> dict:
        this_year = current_school_year()
        years = sorted(set(range(this_year - 4, this_year + 1)) | {self.year}, reverse=True)
        return {"years": years, "initial": {"year": self.year}}

    def filter_queryset(self, qs, data):
        status = data.get("status")
        if status == logic.NOT_STARTED:
            return qs.filter(summary_id__isnull=True)
        if status in YearSummary.Status.values:
            return qs.filter(summary_status=status)
        return qs

    def get_columns(self):
        year = self.year
        return [
            Column("code", gettext_lazy("学校标识码"), sortable=True, classes="hide-sm"),
            Column("name", gettext_lazy("学校"), sortable=True,
                   link=lambda s: reverse("reports:summary_school", args=[s.pk]) + f"?year={year}"),
            Column("status", gettext_lazy("状态"), value=lambda s: logic.status_label(s.summary_status)),
            Column("date", gettext_lazy("报送或修改日期"), value=_summary_date),
        ]

    def get_queryset(self):
        return logic.summary_statuses(self.request.user, self.year)

    def get_context_data(self, **kwargs):
        rows = logic.summary_statuses(self.request.user, self.year)
        counts = {key: 0 for key in logic.STATUS_LABELS}
        for status in rows.values_list("summary_status", flat=True):
            counts[status or logic.NOT_STARTED] += 1
        kwargs.update(year=self.year, year_label=logic.year_label(self.year), counts=[(logic.STATUS_LABELS[k], n) for k, n in counts.items()])
        return kwargs


urlpatterns = [
    path("reports/summary/", summary_home, name="summary"),
    path("reports/summaries/", SummaryListView.as_view(), name="summary_list"),
    path("reports/summary/<int:school_id>/", SummaryPageView.as_view(), name="summary_school"),
    path("reports/summary/<int:school_id>/refresh/", RefreshView.as_view(), name="summary_refresh"),
    path("reports/summary/<int:school_id>/file/", FileView.as_view(), name="summary_file"),
    path("reports/summary/<int:school_id>/reopen/", ReopenView.as_view(), name="summary_reopen"),
    path("reports/summary/<int:school_id>/preview/", summary_preview, name="summary_preview"),
    path("reports/summary/<int:school_id>/download/", summary_download, name="summary_download"),
    path("reports/summary/<int:school_id>/plan/", summary_plan, name="summary_plan"),
]
