"""Growth pages: progress — who is behind, by group, for one term (see growth/urls.py).

``growth:progress`` lists a school's current teachers with done / target per
item of their task list, grouped by 教研组, for the school's admin, the region
staff over it and the school's group leaders (their own groups only). The rows
are computed by :func:`yanxiu.growth.progress.school_progress` in a fixed
number of queries, then filtered (group, behind only, name), paged and
exported through :class:`~yanxiu.core.lists.ScopedListView`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import params
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, School

from .. import access, calendar
from ..choices import ITEM_KIND_LABELS
from ..progress import PersonProgress, school_progress, spans

#: School years offered in the filter: this many back from the current one (the file keeps ten years).
YEARS_BACK = 10
#: Schools offered in the school picker of region staff.
MAX_SCHOOL_CHOICES = 500


@dataclass
class ProgressRow:
    """One teacher in one group's section (a teacher in two groups shows in both)."""

    progress: PersonProgress
    group: Group | None

    @property
    def name(self) -> str:
        return self.progress.person.name

    @property
    def group_name(self) -> str:
        return self.group.name if self.group else str(_("未分组"))

    def item_text(self, kind: str) -> str:
        for item in self.progress.items:
            if item.kind == kind:
                return f"{item.done}/{item.target}"
        return ""


def _readable(user, school) -> bool:
    return access.can_read_school_progress(user, school) or access.groups_for_progress(user, school).exists()


def progress_school(user, wanted) -> School:
    """The school whose progress ``user`` reads: ``?school=`` when they may read it, else their own."""
    s = scopes.scope_of(user)
    wanted_id = params.parse_id(wanted) if wanted not in (None, "") else None
    if wanted not in (None, "") and wanted_id is None:
        raise params.BadParameter(_("参数 school 须是学校编号。"))
    if wanted_id is not None:
        school = scopes.schools_visible_to(user).filter(pk=wanted_id).first()
        if school is None:
            raise Http404(_("找不到该学校，或您无权查看。"))
    elif s.admin_schools:
        school = scopes.admin_school(user)
    elif s.superuser or s.region_counties:
        school = scopes.schools_visible_to(user).order_by("code").first()
    else:
        school = School.objects.filter(groups__pk__in=s.led_groups).order_by("code").first()
    if school is None or not _readable(user, school):
        raise PermissionDenied(_("您没有权限查看教师成长任务进度。"))
    return school


def school_choices(user) -> list[tuple[int, str]]:
    """Schools a reader of several schools picks from (bounded)."""
    s = scopes.scope_of(user)
    if not (s.superuser or s.region_counties or len(s.admin_schools) > 1):
        return []
    rows = scopes.schools_visible_to(user).order_by("code").values_list("pk", "name")[:MAX_SCHOOL_CHOICES]
    return list(rows)


class ProgressFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("学年"), coerce=int)
    term = forms.TypedChoiceField(label=gettext_lazy("学期"), coerce=int,
                                  choices=[(1, gettext_lazy("第一学期")), (2, gettext_lazy("第二学期"))])
    group = forms.TypedChoiceField(label=gettext_lazy("教研组"), coerce=int, required=False, empty_value=None)
    behind = forms.BooleanField(label=gettext_lazy("只看进度落后的教师"), required=False)

    def __init__(self, data, *, years, groups):
        super().__init__(data)
        self.fields["year"].choices = [(y, f"{y}—{y + 1}") for y in years]
        self.fields["group"].choices = [("", _("全部教研组")), *[(g.pk, g.name) for g in groups]]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-check-input" if name == "behind" else "form-select"


def _sections(rows: list[PersonProgress], groups: list[Group]) -> list[ProgressRow]:
    """Each teacher under each visible group they belong to (one query for the memberships); the rest ungrouped."""
    by_id = {g.pk: g for g in groups}
    members: dict[int, list[Group]] = {}
    through = Employment.groups.through.objects.filter(employment_id__in=[r.employment.pk for r in rows], group_id__in=list(by_id))
    for employment_id, group_id in through.values_list("employment_id", "group_id"):
        members.setdefault(employment_id, []).append(by_id[group_id])
    order = {g.pk: n for n, g in enumerate(groups)}
    out = []
    for row in rows:
        mine = sorted(members.get(row.employment.pk, []), key=lambda g: order[g.pk])
        out.extend(ProgressRow(progress=row, group=g) for g in mine or [None])
    return sorted(out, key=lambda r: (r.group is None, order.get(r.group.pk, 0) if r.group else 0))


def group_summary(rows: list[ProgressRow]) -> list[dict]:
    """Per group: teachers and teachers behind, in the page's group order."""
    summary: dict[str, dict] = {}
    for row in rows:
        entry = summary.setdefault(row.group_name, {"group": row.group_name, "teachers": 0, "behind": 0})
        entry["teachers"] += 1
        entry["behind"] += row.progress.behind
    return list(summary.values())


class ProgressListView(ScopedListView):
    """The school's teachers against their task lists for one term; behind cells in red."""

    template_name = "growth/progress/list.html"
    table_template = "growth/progress/_table.html"
    table_id = "progress-table"
    paginate_by = 100
    export_filename = gettext_lazy("成长任务进度")
    export_fallback = "growth-progress"
    search_placeholder = gettext_lazy("教师姓名")
    empty_message = gettext_lazy("没有符合条件的教师。")

    def check_permission(self):
        user, data = self.request.user, self.request.GET
        self.school = progress_school(user, data.get("school"))
        self.today = timezone.localdate()
        current = calendar.term_of(self.school, self.today)
        self.groups = list(access.groups_for_progress(user, self.school).order_by("kind", "name", "pk"))
        top = current.school_year + 1
        years = [y for y in range(top, top - YEARS_BACK - 2, -1) if calendar.MIN_YEAR <= y <= calendar.MAX_YEAR]
        bound = any(k in data for k in ("year", "term", "group", "behind"))
        initial = {"year": current.school_year, "term": current.number}
        self.form = ProgressFilterForm({**initial, **data.dict()} if bound else initial, years=years, groups=self.groups)
        valid = self.form.is_valid()
        cleaned = self.form.cleaned_data
        self.year = cleaned.get("year") or current.school_year
        self.term = cleaned.get("term") or current.number
        self.group_id = cleaned.get("group") if valid else None
        self.behind_only = bool(cleaned.get("behind")) if valid else False

    def build_filter_form(self):
        return None  # the form is read in check_permission: it sets the year and term the rows are counted for

    def search_queryset(self, qs, text):
        return qs  # the name search narrows the employments before counting (get_queryset)

    def get_queryset(self):
        self.spans = spans(self.school, self.year, self.term)
        self.span = self.spans[0]
        employments = Employment.objects.current().filter(school=self.school)
        if not access.can_read_school_progress(self.request.user, self.school):
            employments = employments.filter(groups__in=self.groups).distinct()
        text = self.get_search_text()
        if text:
            employments = employments.filter(person__name__icontains=text)
        rows = _sections(school_progress(self.school, year=self.year, term=self.term, employments=employments,
                                         today=self.today, term_spans=self.spans), self.groups)
        if self.group_id:
            rows = [r for r in rows if r.group and r.group.pk == self.group_id]
        self.section_rows = rows
        self.all_rows = [r for r in rows if r.progress.behind] if self.behind_only else rows
        return self.all_rows

    def item_kinds(self) -> list[tuple[str, str]]:
        """Every item kind the rows' task lists hold, in first-seen order (one export column each)."""
        kinds: dict[str, None] = {}
        for template in {id(r.progress.template): r.progress.template for r in getattr(self, "all_rows", [])}.values():
            for item in template.items.all() if template else []:
                kinds.setdefault(item.kind)
        return [(kind, str(ITEM_KIND_LABELS.get(kind, kind))) for kind in kinds]

    def get_columns(self):
        columns = [
            Column("group", _("教研组"), value="group_name"),
            Column("name", _("教师"), value="name"),
            Column("tier", _("梯队"), value=lambda r: r.progress.tier_label),
            Column("template", _("任务清单"), value=lambda r: r.progress.template.name if r.progress.template else ""),
            Column("behind", _("进度"), value=lambda r: _("落后") if r.progress.behind else _("正常")),
        ]
        # One export column per item kind; the page shows the items together in one cell (the table template).
        columns += [Column(f"item_{kind}", _("%(kind)s（完成/目标）") % {"kind": label}, value=lambda r, k=kind: r.item_text(k),
                           show=False) for kind, label in self.item_kinds()]
        return columns

    def get_context_data(self, **kwargs):
        span = self.span
        days_left = (span.end - self.today).days if self.today <= span.end else None
        rows = self.section_rows
        kwargs.update(
            school=self.school, schools=school_choices(self.request.user), form=self.form, term_span=span, days_left=days_left, started=self.today >= span.start,
            summary=group_summary(rows), teachers=len({r.progress.employment.pk for r in rows}),
            behind=len({r.progress.employment.pk for r in rows if r.progress.behind}),
            page_title=_("%(school)s · 成长任务进度") % {"school": self.school.name}, today=self.today, year=self.year,
        )
        return kwargs


progress_list = ProgressListView.as_view()

urls = [
    path("progress/", progress_list, name="progress"),
]
