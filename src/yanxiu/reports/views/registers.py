"""The registers pages (台账): all rows, one teacher, a school's teachers, one training.

Every page is a :class:`~yanxiu.core.lists.ScopedListView` over the selectors in
:mod:`yanxiu.reports.registers`; the xlsx of a page is exactly its rows (same
filters, search and sort), streamed, and written by a background job above
``YANXIU_EXPORT_INLINE_ROWS`` rows.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.attendance.models import Attendance
from yanxiu.core import downloads, jobs, params, xlsx
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.models import CreditEntry
from yanxiu.credits.selectors import can_view_school_credits, current_school_year
from yanxiu.org import scopes
from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.models import Cluster, Group, Person, Region, School
from yanxiu.org.selectors import current_employment, current_employments
from yanxiu.policy.models import CreditKind
from yanxiu.training.models import Enrollment, Project, Session, TrainingLevel

from .. import measures
from .. import registers as reg

DENIED = gettext_lazy("您没有权限访问此页面。")
#: A school register wider than this many teachers asks for a school or a cluster first.
MAX_TEACHER_ROWS = 20_000
#: A county's register (300,000 rows) exports in one file; beyond, filter first.
MAX_EXPORT_ROWS = 1_000_000


def _amount(value) -> str:
    from yanxiu.credits.templatetags.credits_tags import amount

    return amount(value)


# --- Filters ------------------------------------------------------------------------------


class RegisterFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False)
    term = forms.ChoiceField(label=_("学期"), required=False,
                             choices=[("", _("全学年")), ("1", _("第一学期")), ("2", _("第二学期"))])
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部级别")), *TrainingLevel.choices])
    kind = forms.ChoiceField(label=_("培训类别"), required=False, choices=[("", _("全部类别")), *CreditKind.choices])
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.none(), required=False, empty_label=_("全部学校"))
    cluster = forms.ModelChoiceField(label=_("片区"), queryset=Cluster.objects.none(), required=False, empty_label=_("全部片区"))
    group = forms.ModelChoiceField(label=_("教研组"), queryset=Group.objects.none(), required=False, empty_label=_("全部教研组"))

    def __init__(self, *args, year: int, schools=None, fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}—{y + 1}") for y in sorted({*range(year - 4, year + 2)}, reverse=True)]
        self.fields["year"].initial = year
        for name in [n for n in self.fields if n not in ("year", "term", "level", "kind", *fields)]:
            del self.fields[name]
        if schools is not None and "school" in self.fields:
            self.fields["school"].queryset = schools
            self.fields["cluster"].queryset = Cluster.objects.filter(schools__in=schools).distinct().order_by("name")
            self.fields["group"].queryset = Group.objects.filter(school__in=schools).select_related("school").order_by(
                "school__code", "name")
            if len(schools) <= 1:
                del self.fields["school"]
                del self.fields["cluster"]


class RegisterListView(ScopedListView):
    """What every register list shares: the year, the term and the filter form."""

    template_name = "reports/registers/list.html"
    filters = RegisterFilterForm
    filter_fields: tuple[str, ...] = ()
    max_export_rows = MAX_EXPORT_ROWS
    search_placeholder = gettext_lazy("姓名或培训名称")

    def term_school(self):
        """The school whose calendar gives the terms (one school in view), else None."""
        f = getattr(self, "entry_filters", None)
        return f.school if f is not None else None

    def get_year(self) -> int:
        if not hasattr(self, "_year"):
            self._year = params.year_param(self.request.GET) or current_school_year(self.default_county())
        return self._year

    def default_county(self):
        """The county whose policy gives the year: the first administered school's, else the first region's."""
        s = scopes.scope_of(self.request.user)
        if s.admin_schools:
            school = School.objects.filter(pk=min(s.admin_schools)).select_related("county").first()
            return school.county if school else None
        if s.region_counties:
            return Region.objects.filter(pk=min(s.region_counties)).first()
        return None

    def filter_schools(self):
        return reg.register_schools(self.request.user)

    def get_filter_form_kwargs(self):
        return {"year": self.get_year(), "schools": self.filter_schools() if self.filter_fields else None,
                "fields": self.filter_fields}

    def build_filter_form(self):
        return self.filters(data=self.request.GET or None, **self.get_filter_form_kwargs())

    def entry_filter(self, data: dict) -> reg.EntryFilters:
        f = reg.EntryFilters(year=self.get_year(), level=data.get("level") or "", kind=data.get("kind") or "",
                             school=data.get("school"), cluster_id=data["cluster"].pk if data.get("cluster") else None,
                             group_id=data["group"].pk if data.get("group") else None)
        if f.school is None:
            schools = self.filter_schools() if self.filter_fields else None
            if schools is not None and len(schools) == 1:
                f.school = schools[0]
        if data.get("term") in ("1", "2"):
            f.term = reg.term_spans(f.school or self.term_school(), f.year)[int(data["term"]) - 1]
        return f

    def get_rows(self):
        self.filter_form = self.build_filter_form()
        valid = self.filter_form.is_bound and self.filter_form.is_valid()
        self.entry_filters = self.entry_filter(self.filter_form.cleaned_data if valid else {})
        self.search_text = self.get_search_text()
        return self.sort_queryset(self.build_rows(self.entry_filters, self.search_text))

    def build_rows(self, f: reg.EntryFilters, search: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def search_queryset(self, qs, text):  # the selectors search (name, title): a search box is shown
        return qs

    def get_context_data(self, **kwargs):
        kwargs.update(year=self.get_year())
        return kwargs


# --- Entry rows: the register of many teachers, and of one -------------------------------------


def _credits_readable(user, person_ids) -> set[int]:
    """Which of ``person_ids`` have a credits page ``user`` may open (``can_view_person_credits``), in one query."""
    s = scopes.scope_of(user)
    ids = {pid for pid in person_ids if pid is not None}
    if s.superuser:
        return ids
    readable = {s.person_id} & ids
    for pid, employment in current_employments(ids - readable, related=("school",)).items():
        if can_view_school_credits(user, employment.school):
            readable.add(pid)
    return readable


class EntryRegisterMixin:
    """Columns, export and evidence of the entry rows (one row per ledger entry)."""

    with_person = True
    table_id = "register-table"

    def with_credits(self) -> bool:
        return reg.counts_credits(self.credit_county(), self.get_year())

    def credit_county(self):
        """The county whose policy says whether 学分 count: the chosen school's, else the one county of the
        schools the rows can come from, else the user's first county."""
        if not hasattr(self, "_credit_county"):
            self._credit_county = self._rows_county()
        return self._credit_county

    def _rows_county(self):
        f = getattr(self, "entry_filters", None)
        if f is not None and f.school is not None:
            return f.school.county
        schools = reg.register_schools(self.request.user)
        if f is not None and f.cluster_id is not None:
            schools = schools.filter(cluster_id=f.cluster_id)
        if f is not None and f.group_id is not None:
            schools = schools.filter(groups__pk=f.group_id)
        county_ids = list(schools.order_by("county_id").values_list("county_id", flat=True).distinct()[:2])
        if len(county_ids) == 1:
            return Region.objects.filter(pk=county_ids[0]).first()
        return self.default_county()

    def paginate(self, qs):
        """The page, its rows loaded once, and whose credits page the reader may open, for its teachers at once."""
        page = super().paginate(qs)
        page.object_list = list(page.object_list)
        self._credit_pages = _credits_readable(self.request.user, {e.person_id for e in page.object_list})
        return page

    def evidence_url(self, entry) -> str:
        if entry.person_id == scopes.scope_of(self.request.user).person_id:
            return reverse("credits:mine") + f"?year={entry.school_year}"
        readable = getattr(self, "_credit_pages", None)
        if readable is None:  # a row outside a page
            readable = _credits_readable(self.request.user, {entry.person_id})
        if entry.person_id in readable:
            return reverse("credits:person", args=[entry.person_id]) + f"?year={entry.school_year}"
        return ""

    def get_columns(self):
        columns = []
        if self.with_person:
            columns += [
                Column("name", gettext_lazy("姓名"), value="person.name", sortable="person__name",
                       link=lambda e: reverse("reports:register_person", args=[e.person_id]) + f"?year={e.school_year}"),
                Column("id_number", gettext_lazy("身份证号"), value="person.masked_id_number", classes="masked hide-sm"),
                Column("school", gettext_lazy("登记学校"), value=lambda e: e.school.name if e.school_id else "", classes="hide-sm"),
            ]
        columns += [
            Column("date", gettext_lazy("日期"), value=lambda e: reg.date_text(e.training_start, e.training_end, e.training_date),
                   sortable="training_date", classes="text-nowrap"),
            Column("level", gettext_lazy("级别"), value=lambda e: reg.level_label(e.level), sortable="level"),
            Column("kind", gettext_lazy("培训类别"), value="get_kind_display", sortable="kind"),
            Column("category", gettext_lazy("内容类别"), value="category", classes="hide-sm"),
            Column("title", gettext_lazy("培训名称"), value="title", sortable="title"),
            Column("hours", gettext_lazy("学时"), value=lambda e: _amount(e.hours), sortable="hours", classes="text-end"),
        ]
        if self.with_credits():
            columns.append(Column("credits", gettext_lazy("学分"), value=lambda e: _amount(e.credits), sortable="credits",
                                  classes="text-end"))
        columns += [
            Column("source", gettext_lazy("来源"), value="get_source_type_display", classes="hide-sm"),
            Column("evidence", gettext_lazy("证据"), value=lambda e: reg.entry_evidence_text(e.source_type, e.evidence),
                   link=self.evidence_url, classes="small"),
        ]
        return columns

    def export_response(self, rows_qs):
        count = rows_qs.count()
        if count > self.max_export_rows:
            return self.export_refused(count)
        if count > jobs.inline_rows():
            return self.export_job(count)
        buffer = io.BytesIO()
        reg.write_entries_xlsx(buffer, rows_qs, with_credits=self.with_credits(), with_person=self.with_person,
                               sheet_title=str(self.export_filename))
        return downloads.download(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE, name=self.get_export_filename(),
                                  fallback=self.get_export_fallback())

    def write_export(self, path, rows, *, job_id: int) -> None:
        reg.write_entries_xlsx(path, rows, progress=lambda done, total: jobs.progress(job_id, done, total),
                               with_credits=self.with_credits(), with_person=self.with_person, sheet_title=str(self.export_filename))


class EntryRegisterView(EntryRegisterMixin, RegisterListView):
    """Every active ledger row of the teachers the user oversees (a county's, a school's, a group's)."""

    page_title = gettext_lazy("学时台账")
    empty_message = gettext_lazy("没有符合条件的学时记录。")
    export_filename = gettext_lazy("学时台账")
    export_fallback = "register"
    filter_fields = ("school", "cluster", "group")

    def get(self, request, *args, **kwargs):
        if not reg.can_read_others(request.user):
            return redirect("reports:register_mine")
        return super().get(request, *args, **kwargs)

    def check_permission(self):
        scopes.require(reg.can_read_others(self.request.user), DENIED)

    def build_rows(self, f, search):
        return reg.register_entries(self.request.user, f, search=search)

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        kwargs.update(links=[(_("教师汇总"), reverse("reports:register_school")), (_("培训台账"), reverse("reports:register_trainings"))])
        return kwargs


class PersonRegisterView(EntryRegisterMixin, RegisterListView):
    """One teacher's register: every training of theirs in the school year."""

    with_person = False
    empty_message = gettext_lazy("本学年还没有学时记录。")
    export_filename = gettext_lazy("个人学时台账")
    export_fallback = "my-register"
    template_name = "reports/registers/person.html"

    def get_person(self) -> Person:
        if "person_id" in self.kwargs:
            return get_object_or_404(reg.register_people(self.request.user), pk=self.kwargs["person_id"])
        person_id = scopes.scope_of(self.request.user).person_id
        if person_id is None:
            raise Http404(_("当前账号没有关联教师档案。"))
        return get_object_or_404(reg.register_people(self.request.user), pk=person_id)

    def check_permission(self):
        self.person = self.get_person()
        self.employment = current_employment(self.person, related=("school__county",))

    def default_county(self):
        return self.employment.school.county if self.employment else None

    def term_school(self):
        return self.employment.school if self.employment else None

    def credit_county(self):
        return self.default_county()

    def build_rows(self, f, search):
        f.person_id = self.person.pk
        entries = reg.with_register_columns(CreditEntry.objects.active().filter(person=self.person).select_related("person", "school"))
        return reg.search_entries(reg.filter_entries(entries, f), search).order_by("training_date", "seq")

    def get_export_filename(self):
        year = self.get_year()
        return downloads.filename(_("个人学时台账"), self.person.name, f"{year}-{year + 1}", ext="xlsx")

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        user, person, year = self.request.user, self.person, self.get_year()
        is_self = scopes.scope_of(user).person_id == person.pk
        from yanxiu.credits.selectors import person_compliance

        row = person_compliance(person, year)
        school = self.employment.school if self.employment else None
        school_link = ""
        if school is not None and reg.can_read_others(user) and reg.register_schools(user).filter(pk=school.pk).exists():
            school_link = reverse("reports:register_school") + f"?year={year}&school={school.pk}"
        kwargs.update(
            person=person, school=school, row=row, is_self=is_self, school_link=school_link,
            page_title=_("我的台账") if is_self else _("%(name)s 的学时台账") % {"name": person.name},
            total=sum((e.hours for e in kwargs["page_obj"].paginator.object_list), reg.ZERO)
            if kwargs["page_obj"].paginator.count <= 500 else None,
        )
        return kwargs


# --- A school's teachers ---------------------------------------------------------------------


class SchoolRegisterView(RegisterListView):
    """One row per teacher: trainings, hours by level and by kind, total and the year's standing."""

    template_name = "reports/registers/school.html"
    page_title = gettext_lazy("教师学时汇总")
    empty_message = gettext_lazy("没有符合条件的教师。")
    export_filename = gettext_lazy("教师学时汇总")
    export_fallback = "school-register"
    filter_fields = ("school", "cluster", "group")
    table_id = "teacher-register-table"
    search_placeholder = gettext_lazy("姓名")

    def check_permission(self):
        scopes.require(reg.can_read_others(self.request.user), DENIED)

    def build_rows(self, f, search):
        employments = reg.register_employments(self.request.user)
        if f.school is not None:
            employments = employments.filter(school=f.school)
        if f.cluster_id is not None:
            employments = employments.filter(school__cluster_id=f.cluster_id)
        if f.group_id is not None:
            employments = employments.filter(groups__pk=f.group_id)
        self.teacher_count = employments.count()
        self.too_many = self.teacher_count > MAX_TEACHER_ROWS
        if self.too_many:
            return []
        entries = reg.filter_entries(reg.with_register_columns(CreditEntry.objects.active()),
                                     reg.EntryFilters(year=f.year, term=f.term, level=f.level, kind=f.kind))
        self.matrix_entries = entries
        return reg.teacher_rows(employments, f.year, entries, search=search)

    def get_columns(self):
        year = self.get_year()
        return [
            Column("name", gettext_lazy("姓名"), sortable=True,
                   link=lambda r: reverse("reports:register_person", args=[r.person_id]) + f"?year={year}"),
            Column("id_number", gettext_lazy("身份证号"), value="masked_id_number", classes="masked hide-sm"),
            Column("school", gettext_lazy("学校"), sortable=True, classes="hide-sm"),
            Column("groups", gettext_lazy("所在组"), classes="hide-sm"),
            Column("trainings", gettext_lazy("培训次数"), sortable=True, classes="text-end"),
            *[Column(f"level_{level}", label, value=lambda r, k=level: _amount(r.by_level[k]),
                     export_value=lambda r, k=level: float(r.by_level[k]), classes="text-end hide-sm")
              for level, label in TrainingLevel.choices],
            *[Column(f"kind_{kind}", label, value=lambda r, k=kind: _amount(r.by_kind[k]),
                     export_value=lambda r, k=kind: float(r.by_kind[k]), classes="text-end")
              for kind, label in CreditKind.choices],
            Column("total", gettext_lazy("合计"), value=lambda r: _amount(r.total), export_value=lambda r: float(r.total),
                   sortable=True, classes="text-end"),
            Column("status", gettext_lazy("状态"), value="status_label", template="credits/_status.html"),
        ]

    def sort_queryset(self, qs):
        _raw, column, descending = self.get_sort()
        if column is not None and column.key == "total":
            return sorted(qs, key=lambda r: r.total, reverse=descending)
        return super().sort_queryset(qs)

    def _write(self, target, rows) -> None:
        columns = self.export_columns()
        wb = xlsx.workbook(write_only=True)
        ws = wb.create_sheet(_("教师汇总"))
        xlsx.append(ws, [str(c.label) for c in columns])
        for row in rows:
            xlsx.append(ws, self.export_row(row, columns))
        trainings, cells = reg.training_matrix(self.matrix_entries, [r.person_id for r in rows]) if rows else ([], {})
        reg.write_matrix_sheet(wb.create_sheet(_("教师×培训")), rows, trainings, cells)
        wb.save(target)

    def too_many_message(self) -> str:
        return _("共 %(count)d 名教师，超过一次导出的上限 %(max)d 名，请先选择学校或片区后再导出。") % {
            "count": self.teacher_count, "max": MAX_TEACHER_ROWS}

    def export_refused(self, count: int):
        """Back to the page with why: too many teachers to list in one file (the page lists none either)."""
        messages.error(self.request, self.too_many_message())
        query = self.request.GET.copy()
        query.pop(self.export_param, None)
        target = self.get_list_url()
        return redirect(f"{target}?{query.urlencode()}" if query else target)

    def export_response(self, rows):
        if getattr(self, "too_many", False):
            return self.export_refused(self.teacher_count)
        if len(rows) > jobs.inline_rows():
            return self.export_job(len(rows))
        buffer = io.BytesIO()
        self._write(buffer, rows)
        return downloads.download(buffer.getvalue(), content_type=xlsx.CONTENT_TYPE, name=self.get_export_filename(),
                                  fallback=self.get_export_fallback())

    def write_export(self, path, rows, *, job_id: int) -> None:
        if getattr(self, "too_many", False):  # grown past the limit since the job was queued: no header-only file
            raise jobs.JobError(self.too_many_message())
        jobs.progress(job_id, 0, len(rows))
        self._write(path, rows)

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        kwargs.update(too_many=getattr(self, "too_many", False),
                      in_progress=any(r.compliance is not None and r.compliance.in_progress for r in kwargs["page_obj"].object_list),
                      links=[(_("学时台账"), reverse("reports:register_entries")), (_("培训台账"), reverse("reports:register_trainings"))])
        return kwargs


# --- Trainings and who took part --------------------------------------------------------------


class TrainingFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("学年"), coerce=int, required=False)
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部级别")), *TrainingLevel.choices])

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}—{y + 1}") for y in range(year + 1, year - 5, -1)]
        self.fields["year"].initial = year


class TrainingListView(RegisterListView):
    """The trainings of the year the user oversees, each with its numbers, linking to who took part."""

    template_name = "reports/registers/list.html"
    page_title = gettext_lazy("培训台账")
    empty_message = gettext_lazy("本学年没有符合条件的培训活动。")
    export_filename = gettext_lazy("培训台账")
    export_fallback = "trainings"
    filters = TrainingFilterForm
    table_id = "training-register-table"
    search_placeholder = gettext_lazy("培训名称")

    def check_permission(self):
        scopes.require(reg.can_read_others(self.request.user), DENIED)

    def get_filter_form_kwargs(self):
        return {"year": self.get_year()}

    def entry_filter(self, data):
        return reg.EntryFilters(year=self.get_year(), level=data.get("level") or "")

    def build_rows(self, f, search):
        start, end = measures.year_span(self.default_county(), f.year)
        sessions = reg.register_sessions(self.request.user).filter(
            pk__in=measures.sessions_in(start, end).values("pk")).select_related("project", "project__owner_school")
        if f.level:
            sessions = sessions.filter(project__level=f.level)
        if search:
            sessions = sessions.filter(Q(title__icontains=search) | Q(project__title__icontains=search))
        # One subquery per count: two joins in one GROUP BY would multiply each other's rows.
        return sessions.annotate(
            enrolled=_count_of(Enrollment.objects.filter(status=Enrollment.Status.ENROLLED)),
            present=_count_of(Attendance.objects.filter(status=Attendance.Status.PRESENT)),
        ).order_by("starts_at", "pk")

    def get_columns(self):
        return [
            Column("date", gettext_lazy("日期"), value=lambda s: measures_local_day(s.starts_at), sortable="starts_at",
                   classes="text-nowrap"),
            Column("title", gettext_lazy("培训活动"), value=lambda s: _session_title(s), sortable="title",
                   link=lambda s: reverse("reports:register_session", args=[s.pk])),
            Column("project", gettext_lazy("培训项目"), value="project.title", sortable="project__title",
                   link=lambda s: reverse("reports:register_project", args=[s.project_id])),
            Column("level", gettext_lazy("级别"), value="project.get_level_display", sortable="project__level"),
            Column("school", gettext_lazy("主办"), value=lambda s: s.project.owner_school.name if s.project.owner_school_id else _("教育局"),
                   classes="hide-sm"),
            Column("hours", gettext_lazy("学时"), value=lambda s: _amount(s.hours), classes="text-end"),
            Column("enrolled", gettext_lazy("报名"), sortable=True, classes="text-end"),
            Column("present", gettext_lazy("出席"), sortable=True, classes="text-end"),
        ]


def _count_of(rows) -> Coalesce:
    """How many of ``rows`` belong to the outer session, as a subquery (0 when none)."""
    counted = rows.filter(session=OuterRef("pk")).order_by().values("session").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def measures_local_day(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _session_title(session) -> str:
    return session.title


class ParticipantRegisterView(RegisterListView):
    """Who took part in one session, or in all the sessions of a project."""

    template_name = "reports/registers/training.html"
    empty_message = gettext_lazy("没有报名或出席的教师。")
    export_fallback = "training-register"
    filters = None
    table_id = "participant-register-table"
    search_placeholder = gettext_lazy("姓名")

    def get_filter_form_kwargs(self):  # no filter form: the training fixes the rows
        return {}

    def build_filter_form(self):
        return None

    def get_rows(self):
        self.filter_form = None
        self.search_text = self.get_search_text()
        return self.sort_queryset(self.build_rows(None, self.search_text))

    def check_permission(self):
        scopes.require(reg.can_read_others(self.request.user), DENIED)
        self.sessions = self.get_sessions()

    def people(self, project: Project):
        s = scopes.scope_of(self.request.user)
        if s.superuser or project.region_id in s.region_counties or project.owner_school_id in s.admin_schools:
            return None
        return reg.register_people(self.request.user)

    def build_rows(self, f, search):
        return reg.participant_rows(self.sessions, people=self.people(self.project), search=search)

    def get_columns(self):
        return [
            Column("name", gettext_lazy("姓名"), sortable=True,
                   link=lambda r: reverse("reports:register_person", args=[r.person_id]) if r.person_id in self.readable else None),
            Column("id_number", gettext_lazy("身份证号"), value="masked_id_number", classes="masked hide-sm"),
            Column("school", gettext_lazy("学校"), sortable=True, classes="hide-sm"),
            Column("enrolled", gettext_lazy("报名"), sortable=True, classes="text-end"),
            Column("present", gettext_lazy("出席"), sortable=True, classes="text-end"),
            Column("late", gettext_lazy("其中迟到"), sortable=True, classes="text-end"),
            Column("absent", gettext_lazy("缺训"), sortable=True, classes="text-end"),
            Column("leave", gettext_lazy("请假"), sortable=True, classes="text-end"),
            Column("leave_text", gettext_lazy("请假事由"), classes="small"),
            Column("hours", gettext_lazy("登记学时"), value=lambda r: _amount(r.hours), export_value=lambda r: float(r.hours),
                   sortable=True, classes="text-end"),
        ]

    def sort_queryset(self, qs):
        _raw, column, descending = self.get_sort()
        if column is not None and column.key == "hours":
            return sorted(qs, key=lambda r: r.hours, reverse=descending)
        return super().sort_queryset(qs)

    def paginate(self, qs):
        """The page, and which of its teachers' registers the reader may open (asked for those rows only)."""
        page = super().paginate(qs)
        page.object_list = list(page.object_list)
        self._readable = self._registers_readable({r.person_id for r in page.object_list})
        return page

    def _registers_readable(self, person_ids) -> set[int]:
        ids = {pk for pk in person_ids if pk is not None}
        if not ids:
            return set()
        return set(reg.register_people(self.request.user).filter(pk__in=ids).values_list("pk", flat=True))

    @property
    def readable(self) -> set[int]:
        """Person ids of the rows shown whose register the reader may open."""
        return getattr(self, "_readable", set())

    def get_context_data(self, **kwargs):
        kwargs = super().get_context_data(**kwargs)
        rows = kwargs["page_obj"].paginator.object_list
        kwargs.update(
            project=self.project, page_title=self.page_title, sessions_count=self.sessions.count(),
            totals={"enrolled": sum(r.enrolled for r in rows), "present": sum(r.present for r in rows),
                    "absent": sum(r.absent for r in rows), "leave": sum(r.leave for r in rows)},
            back=reverse("reports:register_trainings"),
        )
        return kwargs


class SessionRegisterView(ParticipantRegisterView):
    def get_sessions(self):
        session = get_object_or_404(reg.register_sessions(self.request.user).select_related("project"), pk=self.kwargs["session_id"])
        self.project, self.session = session.project, session
        self.page_title = _("培训台账：%(title)s") % {"title": session.title}
        return Session.objects.filter(pk=session.pk)

    @property
    def export_filename(self):
        return _("培训台账")

    def get_export_filename(self):
        return downloads.filename(_("培训台账"), self.session.title, ext="xlsx")


class ProjectRegisterView(ParticipantRegisterView):
    def get_sessions(self):
        visible = reg.register_sessions(self.request.user)
        self.project = get_object_or_404(Project.objects.filter(sessions__in=visible).distinct(), pk=self.kwargs["project_id"])
        self.page_title = _("培训台账：%(title)s") % {"title": self.project.title}
        return visible.filter(project=self.project)

    @property
    def export_filename(self):
        return _("培训台账")

    def get_export_filename(self):
        return downloads.filename(_("培训台账"), self.project.title, ext="xlsx")


urlpatterns = [
    path("reports/registers/", EntryRegisterView.as_view(), name="register_entries"),
    path("reports/registers/mine/", PersonRegisterView.as_view(), name="register_mine"),
    path("reports/registers/person/<int:person_id>/", PersonRegisterView.as_view(), name="register_person"),
    path("reports/registers/schools/", SchoolRegisterView.as_view(), name="register_school"),
    path("reports/registers/trainings/", TrainingListView.as_view(), name="register_trainings"),
    path("reports/registers/session/<int:session_id>/", SessionRegisterView.as_view(), name="register_session"),
    path("reports/registers/project/<int:project_id>/", ProjectRegisterView.as_view(), name="register_project"),
]
