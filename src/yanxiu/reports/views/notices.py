"""Notices (通报): the county's document settings, composing and issuing a notice, the issued notices.

- ``reports:notice_settings``: 发文机关 and 发文字号前缀 of a county (bureau and centre staff);
- ``reports:notice_new``: pick the kind and the scope (a GET form), see the preview (the same
  :class:`~yanxiu.reports.documents.Document` the .docx and PDF are written from, with the number
  still 〔year〕X号), edit the title, text and reasons, then issue it (POST);
- ``reports:notice_list`` / ``notice_detail`` / ``notice_docx`` / ``notice_pdf``: the issued
  notices, each rendered from its frozen content only (region staff: their county's; a school
  admin: those naming their school).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import downloads, params
from yanxiu.core.crud import ServiceFormView, apply_validation_error
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin

from .. import notices
from ..documents import CONTENT_TYPES, Heading, Table, date_text, render as render_document
from ..models import OfficialNotice
from ..services import notices as services

Kind = OfficialNotice.Kind
PAGE_DENIED = gettext_lazy("只有本县教育局或研训中心人员可以印发通报。")


def _county(request):
    """The county the officer works on: ``?region=`` among theirs, else their first; 403 for other roles."""
    counties = notices.issuing_counties(request.user)
    scopes.require(counties.exists(), str(PAGE_DENIED))
    pk = params.id_param(request.GET, "region")
    return get_object_or_404(counties, pk=pk) if pk else counties.first()


def _with_region(url: str, request, region) -> str:
    many = notices.issuing_counties(request.user).count() > 1
    return f"{url}?{urlencode({'region': region.pk})}" if many else url


# --- Document settings -------------------------------------------------------------


class DocumentSettingsForm(BootstrapMixin, forms.Form):
    issuing_body = forms.CharField(label=gettext_lazy("发文机关"), max_length=60,
                                   help_text=gettext_lazy("印在红头上的机关名称，如 溆浦县教育局"))
    number_prefix = forms.CharField(label=gettext_lazy("发文字号前缀"), max_length=20,
                                    help_text=gettext_lazy("机关代字，如 溆教通；年份和序号由系统编排，如 溆教通〔2026〕12号"))


class DocumentSettingsView(ServiceFormView):
    form_class = DocumentSettingsForm
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("公文格式已保存。")

    def get_object(self):
        self.region = _county(self.request)
        return notices.settings_of(self.region)

    def check(self):
        self.object = self.get_object()
        self.page_title = _("公文格式：%(county)s") % {"county": self.region.name}

    def get_initial(self):
        if self.object is None:
            return {"issuing_body": _("%(county)s教育局") % {"county": self.region.name}}
        return {"issuing_body": self.object.issuing_body, "number_prefix": self.object.number_prefix}

    def perform(self, form):
        return services.document_settings_set(actor=self.request.user, region=self.region, **form.cleaned_data)

    def get_success_url(self, result):
        return _with_region(reverse("reports:notice_new"), self.request, self.region)

    def get_back_url(self):
        return reverse("reports:notice_list")


# --- Composing a notice ------------------------------------------------------------


class IdChoiceField(forms.ModelChoiceField):
    """A model choice whose value must be an id (1 .. 2**63 - 1) before the database is asked."""

    def to_python(self, value):
        if value not in self.empty_values and params.parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(value)[:20]})
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices whose values must be ids before the database is asked (SQLite refuses a 30-digit integer)."""

    def _check_values(self, value):
        for item in value:
            if params.parse_id(item) is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(item)[:20]})
        return super()._check_values(value)


class ScopeForm(BootstrapMixin, forms.Form):
    """What the notice covers; read from the query string, every value bounded."""

    SCOPES = [("training", gettext_lazy("一个培训项目或一次活动")), ("month", gettext_lazy("一个月的培训"))]

    kind = forms.ChoiceField(label=gettext_lazy("通报类型"), choices=Kind.choices,
                             widget=forms.Select(attrs={"data-autosubmit": ""}))
    scope = forms.ChoiceField(label=gettext_lazy("通报范围"), choices=SCOPES, required=False, initial="training",
                              widget=forms.Select(attrs={"data-autosubmit": ""}))
    year = forms.IntegerField(label=gettext_lazy("学年"), required=False,
                              help_text=gettext_lazy("学年的起始年份，如 2025 表示 2025—2026 学年"),
                              widget=forms.NumberInput(attrs={"data-autosubmit": ""}))
    project = IdChoiceField(label=gettext_lazy("培训项目"), queryset=None, required=False,
                                     empty_label=gettext_lazy("（请选择）"),
                                     widget=forms.Select(attrs={"data-autosubmit": ""}))
    session = IdChoiceField(label=gettext_lazy("培训活动"), queryset=None, required=False,
                                     empty_label=gettext_lazy("（整个项目的全部活动）"))
    month = forms.CharField(label=gettext_lazy("月份"), required=False, max_length=7,
                            widget=forms.TextInput(attrs={"placeholder": "2026-10", "type": "month"}))
    schools = IdMultipleChoiceField(label=gettext_lazy("学校"), queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    groups = IdMultipleChoiceField(label=gettext_lazy("教研组"), queryset=None, required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.default_year = current_school_year(region)
        data = self.data if self.is_bound else self.initial
        year = params.parse_id(data.get("year")) or self.default_year
        try:
            params.check_year(year)
        except ValueError:
            year = self.default_year
        self.safe_year = year
        self.fields["project"].queryset = notices.region_projects(region).filter(
            school_year=f"{year}-{year + 1}").order_by("owner_school__code", "-created_at", "pk")
        self.fields["project"].label_from_instance = lambda p: (
            f"{p.owner_school.name if p.owner_school_id else _('教育局')} · {p.title}")
        project = params.parse_id(data.get("project"))
        sessions = notices.region_sessions(region).filter(project_id=project) if project else notices.region_sessions(region).none()
        self.fields["session"].queryset = sessions.order_by("starts_at", "pk")
        self.fields["session"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.starts_at):%Y-%m-%d} {s.title}" if s.starts_at else s.title)
        self.fields["schools"].queryset = notices.region_schools(region)
        self.fields["groups"].queryset = notices.region_groups(region)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is None:
            return self.default_year
        try:
            return params.check_year(year, name=_("学年"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def clean_month(self):
        month = (self.cleaned_data.get("month") or "").strip()
        if month:
            year, number = notices.parse_month(month)
            month = f"{year}-{number:02d}"
        return month

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Kind.ABSENCE:
            if data.get("scope") == "month":
                if not data.get("month") and "month" not in self.errors:
                    self.add_error("month", _("请选择月份。"))
                data["notice_scope"] = {"month": data.get("month")}
            else:
                project, session = data.get("project"), data.get("session")
                if session is not None and project is not None and session.project_id != project.pk:
                    self.add_error("session", _("所选活动不属于所选项目。"))
                if project is None and "project" not in self.errors:
                    self.add_error("project", _("请选择培训项目。"))
                data["notice_scope"] = {"session": session.pk} if session is not None else {"project": getattr(project, "pk", None)}
        elif kind in (Kind.COMMENDATION, Kind.CRITICISM):
            schools, groups = list(data.get("schools") or []), list(data.get("groups") or [])
            if not schools and not groups and not ({"schools", "groups"} & set(self.errors)):
                self.add_error(None, _("请至少选择一所学校或一个教研组。"))
            if len(schools) + len(groups) > notices.UNITS_MAX:
                self.add_error(None, _("一次最多通报 %(n)s 个单位。") % {"n": notices.UNITS_MAX})
            data["notice_scope"] = {"schools": [s.pk for s in schools], "groups": [g.pk for g in groups],
                                    "year": data.get("year")}
        return data


class IssueForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=notices.TITLE_MAX)
    date = forms.DateField(label=gettext_lazy("成文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    body = forms.CharField(label=gettext_lazy("正文"), max_length=notices.BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=gettext_lazy("已根据数据起草，可以修改；名单表格附在正文之后。"))
    reason = forms.CharField(label=gettext_lazy("统一事由"), max_length=notices.REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=gettext_lazy("各单位未单独填写事由时使用此处的文字"))
    #: The preview's one-time issue token (:func:`yanxiu.reports.notices.new_issue_token`).
    issue_token = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, units=(), user=None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.region = user, region
        if not self.is_bound and user is not None and region is not None:
            self.initial["issue_token"] = notices.new_issue_token(user, region)
        self.units = list(units)
        if not self.units:
            del self.fields["reason"]
        for row in self.units:
            self.fields[self.reason_name(row)] = forms.CharField(
                label=row["unit"], max_length=notices.REASON_MAX, required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))

    @staticmethod
    def reason_name(row) -> str:
        return f"reason_{row['unit_kind']}_{row['group_id'] or row['school_id']}"

    def reason_fields(self):
        return [(row, self[self.reason_name(row)]) for row in self.units]

    def reasons(self) -> dict[str, str]:
        return {f"{row['unit_kind']}:{row['group_id'] or row['school_id']}": self.cleaned_data.get(self.reason_name(row), "")
                for row in self.units}

    def issue_nonce(self) -> str | None:
        """The nonce of the posted token, or ``None`` when it is missing or was not signed for this officer and county."""
        if not self.is_bound or self.user is None or self.region is None:
            return None
        return notices.issue_nonce(self.data.get("issue_token"), self.user, self.region)

    def renew_issue_token(self) -> None:
        """Give the re-shown form a fresh token (the posted one was missing or not valid)."""
        if self.is_bound and self.user is not None and self.region is not None:
            self.data = self.data.copy()
            self.data["issue_token"] = notices.new_issue_token(self.user, self.region)

    def clean_date(self):
        day = self.cleaned_data["date"]
        try:
            return params.check_date(day, name=_("成文日期"))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _blocks(document):
    return [("heading" if isinstance(b, Heading) else "table" if isinstance(b, Table) else "paragraph", b)
            for b in document.blocks]


def _unit_scope(scope: dict, form: IssueForm | None) -> dict:
    if form is None or not form.is_bound or not hasattr(form, "cleaned_data"):
        return scope
    return {**scope, "reasons": form.reasons(), "reason": form.cleaned_data.get("reason", "")}


@login_required
def notice_new(request):
    region = _county(request)
    settings = notices.settings_of(region)
    context = {"page_title": _("印发通报"), "region": region, "settings": settings,
               "counties": notices.issuing_counties(request.user),
               "settings_url": _with_region(reverse("reports:notice_settings"), request, region)}
    if settings is None:
        return render(request, "reports/notices/new.html", context)
    # A change of kind, year or project redraws the choices; the preview button (``preview=1``) asks for the preview.
    initial = {"kind": Kind.ABSENCE, "scope": "training"}
    initial.update({name: (request.GET.getlist(name) if name in ("schools", "groups") else request.GET.get(name))
                    for name in ScopeForm.base_fields if name in request.GET})
    wanted = "preview" in request.GET and "kind" in request.GET
    scope_form = ScopeForm(request.GET if wanted else None, region=region, initial=initial)
    kind = scope_form["kind"].value()
    units = kind in (Kind.COMMENDATION, Kind.CRITICISM)
    context.update(scope_form=scope_form, units=units, shown_kind=kind if kind in Kind.values else Kind.ABSENCE)
    if units:
        # The figures to choose from, before anything is chosen.
        school_rows, group_rows = notices.school_figures(region, scope_form.safe_year)
        picked = {name: {str(v) for v in (scope_form[name].value() or [])} for name in ("schools", "groups")}
        context.update(school_figures=school_rows, group_figures=group_rows, picked_schools=picked["schools"],
                       picked_groups=picked["groups"], figure_year=scope_form.safe_year)
    if not scope_form.is_bound or not scope_form.is_valid():
        return render(request, "reports/notices/new.html", context, status=400 if scope_form.is_bound else 200)
    scope = scope_form.cleaned_data["notice_scope"]
    try:
        rows = notices.unit_rows(region, scope, require_reason=False) if units else notices.absence_rows(region, scope)
        title = notices.draft_title(region, kind, scope)
    except ValidationError as exc:
        apply_validation_error(scope_form, exc)
        return render(request, "reports/notices/new.html", context, status=400)
    status = 200
    form = IssueForm(request.POST if request.method == "POST" else None, units=rows if units else (),
                     user=request.user, region=region,
                     initial={"title": title, "date": timezone.localdate(),
                              "body": notices.draft_body(region, kind, scope, rows, settings.issuing_body)})
    if request.method == "POST":
        nonce = form.issue_nonce()
        earlier = notices.notice_issued_with(region, nonce) if nonce else None
        if earlier is not None and request.POST.get("action") == "issue":
            # The same preview submitted again (a double click, the back button): nothing new is issued.
            messages.info(request, _("该通报已经印发（%(number)s），没有重复印发。") % {"number": earlier.doc_number})
            return redirect("reports:notice_detail", earlier.pk)
        if nonce is None:
            form.renew_issue_token()  # the page shown next can be issued
        if form.is_valid():
            scope = _unit_scope(scope, form) if units else scope
            if request.POST.get("action") == "issue" and nonce is None:
                form.add_error(None, _("页面已失效，请重新预览后再印发。"))
                status = 400
            elif request.POST.get("action") == "issue":
                try:
                    notice = services.notice_issue(actor=request.user, region=region, kind=kind, scope=scope,
                                                   title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                                                   date=form.cleaned_data["date"], issue_token=nonce)
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                    status = 400
                else:
                    messages.success(request, _("通报已印发：%(number)s。") % {"number": notice.doc_number})
                    return redirect("reports:notice_detail", notice.pk)
            if units:
                rows = notices.unit_rows(region, scope, require_reason=False)
        else:
            status = 400
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    document = notices.document(
        kind=kind, issuing_body=settings.issuing_body,
        number=notices.placeholder_number(settings.number_prefix, (data.get("date") or timezone.localdate()).year),
        title=data.get("title") or form.initial["title"], body=data.get("body") or form.initial["body"],
        date=data.get("date") or timezone.localdate(), rows=rows)
    context.update(kind=kind, rows=rows, form=form, document=document, blocks=_blocks(document),
                   date_text=date_text(document.date), units=units)
    return render(request, "reports/notices/new.html", context, status=status)


# --- Issued notices ----------------------------------------------------------------


class NoticeFilter(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), required=False, choices=[("", gettext_lazy("全部类型")), *Kind.choices])
    number_year = forms.IntegerField(label=gettext_lazy("年份"), required=False, min_value=1, max_value=9999,
                                     widget=forms.NumberInput(attrs={"placeholder": gettext_lazy("发文年份")}))


class NoticeListView(ScopedListView):
    template_name = "reports/notices/list.html"
    page_title = gettext_lazy("通报")
    empty_message = gettext_lazy("还没有印发的通报。")
    filters = NoticeFilter
    search_fields = ["title", "doc_number"]
    search_placeholder = gettext_lazy("标题或发文字号")
    columns = [
        Column("doc_number", gettext_lazy("发文字号"), link=lambda n: reverse("reports:notice_detail", args=[n.pk])),
        Column("title", gettext_lazy("标题"), link=lambda n: reverse("reports:notice_detail", args=[n.pk])),
        Column("kind", gettext_lazy("类型"), value="get_kind_display", sortable="kind"),
        Column("issuing_body", gettext_lazy("发文机关"), classes="hide-sm"),
        Column("date", gettext_lazy("成文日期"), value=lambda n: n.date.isoformat(), sortable="date"),
        Column("rows", gettext_lazy("名单行数"), value=lambda n: len(n.rows or []), classes="text-end hide-sm"),
    ]

    def check_permission(self):
        scopes.require(notices.can_read_notices(self.request.user), _("您没有权限访问此页面。"))

    def get_queryset(self):
        return notices.notices_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        return {**kwargs, "can_issue": notices.issuing_counties(self.request.user).exists()}


def _notice(request, pk) -> OfficialNotice:
    scopes.require(notices.can_read_notices(request.user), _("您没有权限访问此页面。"))
    return get_object_or_404(notices.notices_visible_to(request.user), pk=pk)


@login_required
def notice_detail(request, pk):
    notice = _notice(request, pk)
    document = notices.notice_document(notice)
    return render(request, "reports/notices/detail.html", {
        "page_title": notice.doc_number, "notice": notice, "document": document, "blocks": _blocks(document),
        "date_text": date_text(document.date),
    })


def _download(request, pk, fmt: str):
    notice = _notice(request, pk)
    content = render_document(notices.notice_document(notice), fmt)
    return downloads.download(content, content_type=CONTENT_TYPES[fmt],
                              name=downloads.filename(notice.doc_number, notice.title, ext=fmt),
                              fallback=f"notice-{notice.pk}.{fmt}")


@login_required
def notice_docx(request, pk):
    return _download(request, pk, "docx")


@login_required
def notice_pdf(request, pk):
    return _download(request, pk, "pdf")


urlpatterns = [
    path("reports/notices/", NoticeListView.as_view(), name="notice_list"),
    path("reports/notices/new/", notice_new, name="notice_new"),
    path("reports/notices/settings/", DocumentSettingsView.as_view(), name="notice_settings"),
    path("reports/notices/<int:pk>/", notice_detail, name="notice_detail"),
    path("reports/notices/<int:pk>/docx/", notice_docx, name="notice_docx"),
    path("reports/notices/<int:pk>/pdf/", notice_pdf, name="notice_pdf"),
]
