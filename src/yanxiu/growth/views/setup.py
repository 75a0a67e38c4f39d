"""Growth set-up pages of a school (issue #11 points 1–2): the terms of a school
year, the tier rule and each teacher's tier, titles, and the task templates.

Every page works on one school: the school admin's (``?school=`` for an admin
of several, through :func:`yanxiu.org.scopes.admin_school`), or a school the
user manages named by ``?school=`` (the bureau over it). Objects are fetched
from that school's rows, so an id of another school is a 404. Writes go
through :mod:`yanxiu.growth.services`.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.org.choices import Tier
from yanxiu.org.models import Employment, School
from yanxiu.org.selectors import current_staff

from .. import access, calendar, setup_forms
from ..choices import HonourStatus, TierSource
from ..models import HonourTitle, SchoolTerm, TaskTemplate, TierAssignment, TierRule
from ..presets import PRESETS, PRESETS_BY_KEY
from ..progress import template_in_force, tiers_for
from ..services.templates import next_period, template_adopt, template_create, template_edit, template_retire
from ..services.tiers import GROWTH_TIERS, terms_set, tier_assign, tier_rule_set, tiers_recompute, title_add, title_review

PAGE_DENIED = gettext_lazy("只有学校管理员可以设置教师成长工作。")


# --- The school, the year, the addresses ------------------------------------------------


def setup_school(request) -> School:
    """The school the page works on; 403 for a user who manages none, 404 for a school they cannot see."""
    cached = getattr(request, "_growth_setup_school", None)
    if cached is not None:
        return cached
    wanted = params.parse_id(request.GET.get("school") or request.POST.get("school"))
    if wanted:
        school = scopes.schools_visible_to(request.user).filter(pk=wanted).first()
        if school is None:
            raise Http404(_("没有找到该学校。"))
        scopes.require(access.can_manage(request.user, school), PAGE_DENIED)
    else:
        # A school admin works on their school; the bureau, without ?school=, on the first school it manages.
        school = scopes.admin_school(request.user) or scopes.schools_managed_by(request.user).order_by("code").first()
        scopes.require(school is not None, PAGE_DENIED)
    request._growth_setup_school = school
    return school


def current_year(school) -> int:
    return calendar.school_year_of(school, timezone.localdate())


def chosen_year(request, school) -> int:
    """``?year=`` (bounded; a bad value is a 400) or the school year today falls in."""
    return params.year_param(request.GET, "year", default=None) or params.year_param(
        request.POST, "year", default=current_year(school))


def setup_url(name: str, school, *args, **query) -> str:
    """The address of a set-up page for ``school``, with its query (empty values left out)."""
    query = {"school": school.pk, **{k: v for k, v in query.items() if v not in (None, "")}}
    return f"{reverse(name, args=args)}?{urlencode(query)}"


def staff_employments(school):
    return Employment.objects.current().filter(school=school).select_related("person")


def staff_person(school, person_id: int):
    """A current teacher of the school, else 404."""
    return get_object_or_404(current_staff(school), pk=person_id)


def school_titles(school):
    return HonourTitle.objects.filter(person__in=current_staff(school)).select_related("person", "school")


def school_templates(school):
    return TaskTemplate.objects.filter(school=school)


def school_rule(school) -> TierRule:
    """The school's tier rule, else the default one (unsaved)."""
    return TierRule.objects.filter(school=school).first() or TierRule(school=school)


def year_label(year: int) -> str:
    return _("%(a)s—%(b)s 学年") % {"a": year, "b": year + 1}


def tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else ""


def template_target(t: TaskTemplate) -> str:
    return str(_("学校领导")) if t.for_leaders else tier_label(t.tier)


def template_from(t: TaskTemplate) -> str:
    return _("%(term)s起") % {"term": calendar.default_term(t.valid_from_year, t.valid_from_term).label}


class SchoolPageMixin:
    """Form pages and buttons of one school's set-up: the school is resolved before anything else."""

    def setup_context(self, kwargs: dict) -> dict:
        kwargs.update(school=self.school, year=self.year, year_label=year_label(self.year))
        return kwargs

    def resolve(self):
        self.school = setup_school(self.request)
        self.year = chosen_year(self.request, self.school)


# --- 1. The landing page ------------------------------------------------------------------


def _templates_in_force(school, year: int, term: int) -> list[dict]:
    templates = list(school_templates(school).prefetch_related("items"))
    tiers = list(GROWTH_TIERS) + [t for t in Tier.values if t not in GROWTH_TIERS and any(x.tier == t for x in templates)]
    rows = [{"target": tier_label(t), "template": template_in_force(templates, tier=t, leader=False, year=year, term=term)}
            for t in tiers]
    leaders = template_in_force(templates, tier="", leader=True, year=year, term=term)
    rows.append({"target": _("学校领导"), "template": leaders if leaders is not None and leaders.for_leaders else None})
    return rows


def _tier_counts(school, year: int) -> list[dict]:
    ids = list(staff_employments(school).values_list("person_id", flat=True))
    counts = Counter(tiers_for(ids, year).values())
    rows = [{"tier": t, "label": tier_label(t), "count": counts.get(t, 0)} for t in Tier.values if counts.get(t) or t in GROWTH_TIERS]
    rows.append({"tier": setup_forms.NO_TIER, "label": _("未划分"), "count": len(ids) - sum(counts.values())})
    return rows


@login_required
def setup_home(request):
    school = setup_school(request)
    year = chosen_year(request, school)
    today = timezone.localdate()
    now = calendar.term_of(school, today)
    term = now.number if now.school_year == year else 1
    custom = set(SchoolTerm.objects.filter(school=school, school_year=year).values_list("number", flat=True))
    terms = [{"span": t, "custom": t.number in custom, "current": t == now} for t in calendar.terms_of_year(school, year)]
    rule = school_rule(school)
    titles = school_titles(school).filter(status=HonourStatus.ACTIVE)
    links = {name: setup_url(f"growth:{name}", school, year=year) for name in ("terms", "tier_rule", "tiers", "titles", "templates")}
    context = {
        "school": school, "year": year, "year_label": year_label(year), "years": _year_choices(school, year), "terms": terms,
        "rule": rule, "in_force": _templates_in_force(school, year, term),
        "term_label": calendar.term(school, year, term).label, "tier_counts": _tier_counts(school, year),
        "titles_active": titles.count(), "titles_expired": titles.filter(valid_until__lt=today).count(), "links": links,
        "page_title": _("%(school)s · 教师成长设置") % {"school": school.name},
    }
    return render(request, "growth/setup/home.html", context)


def _year_choices(school, year: int) -> list[int]:
    low, high = params.year_bounds()
    now = current_year(school)
    return sorted({y for y in (now - 2, now - 1, now, now + 1, year) if low <= y <= high}, reverse=True)


# --- 2. Terms ---------------------------------------------------------------------------


class TermsView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TermsForm
    template_name = "growth/setup/terms.html"
    submit_label = gettext_lazy("保存学期日期")
    success_message = gettext_lazy("学期日期已保存。")

    def get_object(self):
        self.resolve()
        return self.school

    def get_initial(self):
        first, second = calendar.terms_of_year(self.school, self.year)
        return {"term1_start": first.start, "term1_end": first.end, "term2_start": second.start, "term2_end": second.end}

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("学期日期 · %(year)s") % {"year": year_label(self.year)}
        kwargs["defaults"] = [calendar.default_term(self.year, n) for n in (1, 2)]
        kwargs["years"] = _year_choices(self.school, self.year)
        return self.setup_context(kwargs)

    def perform(self, form):
        return terms_set(actor=self.request.user, school=self.school, school_year=self.year, spans=form.spans())

    def get_success_url(self, result):
        return setup_url("growth:setup", self.school, year=self.year)

    def get_back_url(self):
        return self.get_success_url(None)


# --- 3. The tier rule and the tiers ------------------------------------------------------


class TierRuleView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TierRuleForm
    template_name = "growth/setup/form.html"
    page_title = gettext_lazy("梯队划分规则")
    submit_label = gettext_lazy("保存规则")
    success_message = gettext_lazy("梯队划分规则已保存；新学年开始时按此规则划分，也可在梯队名单中立即重新划分。")

    def get_object(self):
        self.resolve()
        return self.school

    def get_initial(self):
        rule = school_rule(self.school)
        return {f: getattr(rule, f) for f in ("basis", "young_below_years", "backbone_until_years", "young_max_age")}

    def get_context_data(self, **kwargs):
        kwargs["intro"] = _("按教龄：教龄不足“青年”年限为青年教师，至“骨干”年限为骨干培养对象，其余为成熟教师；"
                            "按年龄：不超过年龄上限为青年教师，其余为成熟教师；手工指定：沿用上学年，由管理员逐人指定。")
        return self.setup_context(kwargs)

    def perform(self, form):
        return tier_rule_set(actor=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_url(self, result):
        return setup_url("growth:setup", self.school, year=self.year)

    def get_back_url(self):
        return self.get_success_url(None)


def _latest_of_year(field: str, year: int):
    rows = TierAssignment.objects.filter(person_id=OuterRef("person_id"), school_year=year).order_by("-id")
    return Subquery(rows.values(field)[:1])


class TierListView(ScopedListView):
    """The school's staff with their tier this school year and where it came from."""

    template_name = "growth/setup/tiers.html"
    filters = setup_forms.TierFilterForm
    search_fields = ["person__name"]
    search_placeholder = gettext_lazy("姓名")
    export_filename = gettext_lazy("教师梯队")
    export_fallback = "tiers"
    empty_message = gettext_lazy("本校没有在职教师。")

    def get_columns(self):
        return [
            Column("name", _("姓名"), value="person.name", sortable="person__name",
                   link=lambda e: reverse("org:person_detail", args=[e.pk])),
            Column("subject", _("学科"), classes="hide-sm", sortable=True),
            Column("teaching_since", _("参加工作"), value=lambda e: e.teaching_since.strftime("%Y-%m"), classes="hide-sm",
                   sortable=True),
            Column("tier_now", _("梯队"), value=lambda e: tier_label(e.tier_now) or _("未划分"), sortable=True),
            Column("tier_source", _("来源"), value=lambda e: TierSource(e.tier_source).label if e.tier_source else "—",
                   classes="hide-sm"),
            Column("tier_reason", _("说明"), value=lambda e: e.tier_reason or "—", classes="hide-sm"),
            Column("actions", _("操作"), value=lambda r: "", template="growth/setup/_tier_actions.html", export=False),
        ]

    def check_permission(self):
        self.school = setup_school(self.request)
        self.year = chosen_year(self.request, self.school)

    def get_filter_form_kwargs(self):
        return {"initial": {"school": self.school.pk, "year": self.year}}

    def get_queryset(self):
        return staff_employments(self.school).annotate(
            tier_now=_latest_of_year("tier", self.year), tier_source=_latest_of_year("source", self.year),
            tier_reason=_latest_of_year("reason", self.year)).order_by("person__name", "pk")

    def filter_queryset(self, qs, data):
        if data.get("tier") == setup_forms.NO_TIER:
            qs = qs.filter(tier_now__isnull=True)
        elif data.get("tier"):
            qs = qs.filter(tier_now=data["tier"])
        return qs.filter(tier_source=data["source"]) if data.get("source") else qs

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school, year=self.year, year_label=year_label(self.year), years=_year_choices(self.school, self.year),
                      rule=school_rule(self.school),
                      page_title=_("教师梯队 · %(year)s") % {"year": year_label(self.year)},
                      rule_url=setup_url("growth:tier_rule", self.school, year=self.year),
                      home_url=setup_url("growth:setup", self.school, year=self.year))
        return kwargs


class TiersRecomputeView(SchoolPageMixin, ServiceActionView):
    """按规则重新划分: teachers without a tier this year get the rule's (hand-set tiers stay)."""

    def get_object(self):
        self.resolve()
        return self.school

    def perform(self):
        return tiers_recompute(actor=self.request.user, school=self.school, school_year=self.year)

    def get_success_message(self, result):
        if not result:
            return _("没有需要划分的教师：本学年已划分的梯队保持不变。")
        return _("已按规则为 %(n)s 名教师划分 %(year)s 的梯队。") % {"n": result, "year": year_label(self.year)}

    def get_back_url(self):
        return setup_url("growth:tiers", self.school, year=self.year)


class TierAssignView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TierAssignForm
    template_name = "growth/setup/form.html"
    submit_label = gettext_lazy("指定梯队")
    success_message = gettext_lazy("梯队已指定，并记入梯队历史。")

    def get_object(self):
        self.resolve()
        return staff_person(self.school, self.kwargs["person_id"])

    def get_initial(self):
        return {"tier": tiers_for([self.object.pk], self.year).get(self.object.pk, "")}

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("手工指定梯队：%(name)s（%(year)s）") % {"name": self.object.name, "year": year_label(self.year)}
        kwargs["intro"] = _("手工指定的梯队不会被“按规则重新划分”覆盖；每次指定都记入梯队历史。")
        return self.setup_context(kwargs)

    def perform(self, form):
        return tier_assign(actor=self.request.user, person=self.object, school_year=self.year, **form.cleaned_data)

    def get_success_url(self, result):
        return setup_url("growth:tiers", self.school, year=self.year)

    def get_back_url(self):
        return self.get_success_url(None)


@login_required
def tier_history(request, person_id: int):
    school = setup_school(request)
    person = staff_person(school, person_id)
    rows = access.limit_to_viewer(TierAssignment.objects.filter(person=person), request.user, person)
    context = {
        "school": school, "person": person, "rows": rows.select_related("school", "created_by").order_by("-id"),
        "page_title": _("梯队历史：%(name)s") % {"name": person.name},
        "back_url": setup_url("growth:tiers", school),
    }
    return render(request, "growth/setup/tier_history.html", context)


# --- 4. Titles ----------------------------------------------------------------------------


def _expired(title: HonourTitle) -> bool:
    return title.status == HonourStatus.ACTIVE and title.valid_until is not None and title.valid_until < timezone.localdate()


class TitleListView(ScopedListView):
    template_name = "growth/setup/titles.html"
    filters = setup_forms.TitleFilterForm
    search_fields = ["person__name", "body"]
    search_placeholder = gettext_lazy("姓名或命名单位")
    export_filename = gettext_lazy("评选称号")
    export_fallback = "titles"
    empty_message = gettext_lazy("还没有登记评选称号。")

    def get_columns(self):
        return [
            Column("name", _("姓名"), value="person.name", sortable="person__name"),
            Column("kind", _("称号"), value="get_kind_display", sortable=True),
            Column("level", _("级别"), value="get_level_display", sortable=True),
            Column("year", _("评选年度"), sortable=True),
            Column("body", _("命名单位"), classes="hide-sm"),
            Column("valid_until", _("有效期至"), template="growth/setup/_title_valid.html", sortable=True,
                   export_value=lambda t: t.valid_until.isoformat() if t.valid_until else ""),
            Column("status", _("状态"), value=lambda t: _("已过有效期") if _expired(t) else t.get_status_display()),
            Column("last_review", _("最近考核"), value=lambda t: year_label(t.last_review) if t.last_review else "—", classes="hide-sm"),
            Column("actions", _("操作"), value=lambda r: "", template="growth/setup/_title_actions.html", export=False),
        ]

    def check_permission(self):
        self.school = setup_school(self.request)
        self.today = timezone.localdate()

    def get_filter_form_kwargs(self):
        return {"initial": {"school": self.school.pk}}

    def get_queryset(self):
        return school_titles(self.school).annotate(last_review=Max("reviews__school_year")).order_by("person__name", "-year", "pk")

    def filter_queryset(self, qs, data):
        for name in ("kind", "level"):
            if data.get(name):
                qs = qs.filter(**{name: data[name]})
        status = data.get("status")
        if status == setup_forms.EXPIRED:
            return qs.filter(status=HonourStatus.ACTIVE, valid_until__lt=timezone.localdate())
        return qs.filter(status=status) if status else qs

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school, page_title=_("%(school)s · 评选称号") % {"school": self.school.name},
                      add_url=setup_url("growth:title_add", self.school), home_url=setup_url("growth:setup", self.school))
        return kwargs


class TitleAddView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TitleAddForm
    template_name = "growth/setup/form.html"
    page_title = gettext_lazy("登记评选称号")
    submit_label = gettext_lazy("登记")
    success_message = gettext_lazy("称号已登记。")

    def get_object(self):
        self.resolve()
        return self.school

    def get_form_kwargs(self):
        return {"staff": current_staff(self.school).order_by("name", "pk")}

    def get_initial(self):
        return {"year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        kwargs["intro"] = _("教坛新秀、骨干教师、学科带头人、名师：按评选文件登记级别、年度、命名单位与有效期，每学年考核一次。")
        return self.setup_context(kwargs)

    def perform(self, form):
        return title_add(actor=self.request.user, **form.cleaned_data)

    def get_success_url(self, result):
        return setup_url("growth:titles", self.school)

    def get_back_url(self):
        return self.get_success_url(None)


class TitleReviewView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TitleReviewForm
    template_name = "growth/setup/title_review.html"
    submit_label = gettext_lazy("保存考核结果")
    success_message = gettext_lazy("考核结果已保存。")

    def get_object(self):
        self.resolve()
        return get_object_or_404(school_titles(self.school), pk=self.kwargs["title_id"])

    def get_initial(self):
        return {"school_year": self.year, "passed": "1"}

    def get_context_data(self, **kwargs):
        t = self.object
        kwargs.update(title=t, expired=_expired(t), reviews=t.reviews.select_related("reviewed_by"),
                      page_title=_("称号年度考核：%(name)s · %(kind)s") % {"name": t.person.name, "kind": t.get_kind_display()})
        return self.setup_context(kwargs)

    def perform(self, form):
        return title_review(actor=self.request.user, title=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return setup_url("growth:titles", self.school)

    def get_back_url(self):
        return self.get_success_url(None)


# --- 5. Task templates ---------------------------------------------------------------------


def _family_rows(school, today) -> list[dict]:
    """Per family: the version in force this term and, when one is waiting, the next version."""
    now = calendar.term_of(school, today)
    key = (now.school_year, now.number)
    by_family: dict[str, list[TaskTemplate]] = {}
    for t in school_templates(school).prefetch_related("items").order_by("family", "version"):
        by_family.setdefault(t.family, []).append(t)
    rows = []
    for family, versions in by_family.items():
        started = [t for t in versions if (t.valid_from_year, t.valid_from_term) <= key]
        waiting = [t for t in versions if (t.valid_from_year, t.valid_from_term) > key]
        current = started[-1] if started else None
        if current is not None:
            rows.append(SimpleNamespace(template=current, state="retired" if current.retired else "current", latest=not waiting))
        if waiting:
            rows.append(SimpleNamespace(template=waiting[-1], state="retiring" if waiting[-1].retired else "next", latest=True))
    rows.sort(key=lambda r: (r.template.for_leaders, r.template.tier, r.template.name, r.template.version))
    return rows


STATE_LABELS = {"current": gettext_lazy("在用"), "retired": gettext_lazy("已停用"), "next": gettext_lazy("待生效"),
                "retiring": gettext_lazy("届时停用")}


def _items_text(t: TaskTemplate) -> str:
    return "；".join(f"{i.label} {i.target}（{i.get_per_display()}）" for i in t.items.all())


class TemplateListView(ScopedListView):
    template_name = "growth/setup/templates.html"
    export_filename = gettext_lazy("任务模板")
    export_fallback = "templates"
    empty_message = gettext_lazy("还没有任务模板：请先从预设模板中采用。")

    def get_columns(self):
        return [
            Column("name", _("名称"), value="template.name"),
            Column("version", _("版本"), value="template.version", classes="hide-sm"),
            Column("target", _("适用"), value=lambda r: template_target(r.template)),
            Column("period", _("考核周期"), value="template.get_period_display", classes="hide-sm"),
            Column("from", _("生效"), value=lambda r: template_from(r.template)),
            Column("items", _("要求"), value=lambda r: "", template="growth/setup/_template_items.html", classes="hide-sm", export_value=lambda r: _items_text(r.template)),
            Column("state", _("状态"), value=lambda r: STATE_LABELS[r.state]),
            Column("actions", _("操作"), value=lambda r: "", template="growth/setup/_template_actions.html", export=False),
        ]

    def check_permission(self):
        self.school = setup_school(self.request)

    def get_queryset(self):
        return _family_rows(self.school, timezone.localdate())

    def get_context_data(self, **kwargs):
        kwargs.update(school=self.school, page_title=_("%(school)s · 任务模板") % {"school": self.school.name},
                      adopt_url=setup_url("growth:template_adopt", self.school),
                      create_url=setup_url("growth:template_create", self.school), home_url=setup_url("growth:setup", self.school))
        return kwargs


class TemplateAdoptView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TemplateAdoptForm
    template_name = "growth/setup/template_adopt.html"
    page_title = gettext_lazy("采用预设任务模板")
    submit_label = gettext_lazy("采用")
    success_message = gettext_lazy("已采用预设模板，可在任务模板中修订。")

    def get_object(self):
        self.resolve()
        return self.school

    def get_initial(self):
        key = params.text_param(self.request.GET, "preset", max_length=20)
        return {"year": self.year, "term": 1, "preset_key": key if key in PRESETS_BY_KEY else PRESETS[0]["key"]}

    def get_context_data(self, **kwargs):
        kwargs["presets"] = [{**p, "target": str(_("学校领导")) if p.get("for_leaders") else tier_label(p["tier"])} for p in PRESETS]
        return self.setup_context(kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return template_adopt(actor=self.request.user, school=self.school, preset_key=d["preset_key"], year=d["year"], term=d["term"])

    def get_success_url(self, result):
        return setup_url("growth:templates", self.school)

    def get_back_url(self):
        return self.get_success_url(None)


def _latest_version(school, template_id: int) -> TaskTemplate:
    template = get_object_or_404(school_templates(school), pk=template_id)
    return school_templates(school).filter(family=template.family).order_by("-version").first()


class TemplateEditView(SchoolPageMixin, ServiceFormView):
    form_class = setup_forms.TemplateEditForm
    template_name = "growth/setup/template_edit.html"
    submit_label = gettext_lazy("保存为新版本")
    success_message = gettext_lazy("模板已修订：新版本从下一学期起生效，本学期仍按原版本考核。")

    def get_object(self):
        self.resolve()
        return _latest_version(self.school, self.kwargs["template_id"])

    def get_initial(self):
        t = self.object
        return {"name": t.name, "tier": t.tier, "for_leaders": t.for_leaders, "period": t.period}

    def get_form_kwargs(self):
        items = [{"kind": i.kind, "label": i.label, "target": i.target, "per": i.per, "also_counts": ",".join(i.also_counts or [])}
                 for i in self.object.items.all()]
        return {"items_initial": items}

    def get_context_data(self, **kwargs):
        year, term = next_period(self.school, today=timezone.localdate())
        kwargs.update(starts=calendar.term(self.school, year, term), template=self.object,
                      page_title=_("修订任务模板：%(name)s") % {"name": self.object.name},
                      history_url=setup_url("growth:template_history", self.school, self.object.pk))
        return self.setup_context(kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return template_edit(actor=self.request.user, template=self.object, name=d["name"], tier=d["tier"],
                             for_leaders=d["for_leaders"], period=d["period"], items=form.cleaned_items(), reason=d["reason"],
                             today=timezone.localdate())

    def get_success_url(self, result):
        return setup_url("growth:template_history", self.school, result.pk)

    def get_back_url(self):
        return setup_url("growth:templates", self.school)


class TemplateCreateView(SchoolPageMixin, ServiceFormView):
    """新建: a template of the school's own, for a tier or for leaders, from a chosen term."""

    form_class = setup_forms.TemplateCreateForm
    template_name = "growth/setup/template_edit.html"
    page_title = gettext_lazy("新建任务模板")
    submit_label = gettext_lazy("保存模板")
    success_message = gettext_lazy("模板已建立。")

    def get_object(self):
        self.resolve()
        return self.school

    def get_initial(self):
        return {"year": self.year, "term": 1, "period": "term"}

    def get_context_data(self, **kwargs):
        return self.setup_context(kwargs)

    def perform(self, form):
        d = form.cleaned_data
        return template_create(actor=self.request.user, school=self.school, name=d["name"], tier=d["tier"],
                               for_leaders=d["for_leaders"], period=d["period"], items=form.cleaned_items(), year=d["year"],
                               term=d["term"])

    def get_success_url(self, result):
        return setup_url("growth:template_history", self.school, result.pk)

    def get_back_url(self):
        return setup_url("growth:templates", self.school)


@login_required
def template_history(request, template_id: int):
    school = setup_school(request)
    template = get_object_or_404(school_templates(school), pk=template_id)
    versions = list(school_templates(school).filter(family=template.family).prefetch_related("items").select_related("created_by")
                    .order_by("-version"))
    now = calendar.term_of(school, timezone.localdate())
    started = [v for v in versions if (v.valid_from_year, v.valid_from_term) <= (now.school_year, now.number)]
    current_pk = started[0].pk if started else None
    rows = [{"template": v, "from": template_from(v), "target": template_target(v), "current": v.pk == current_pk,
             "waiting": (v.valid_from_year, v.valid_from_term) > (now.school_year, now.number)} for v in versions]
    context = {
        "school": school, "rows": rows, "latest": versions[0],
        "page_title": _("模板历史：%(name)s") % {"name": versions[0].name},
        "back_url": setup_url("growth:templates", school),
        "edit_url": setup_url("growth:template_edit", school, versions[0].pk),
    }
    return render(request, "growth/setup/template_history.html", context)


class TemplateRetireView(SchoolPageMixin, ServiceActionView):
    """停用: the family stops from the next term (a retired version closes it)."""

    def get_object(self):
        self.resolve()
        return _latest_version(self.school, self.kwargs["template_id"])

    def perform(self):
        form = setup_forms.RetireForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("停用模板须填写停用理由（不超过 200 字）。"))
        return template_retire(actor=self.request.user, template=self.object, reason=form.cleaned_data["reason"],
                               today=timezone.localdate())

    def get_success_message(self, result):
        return _("模板“%(name)s”将从%(start)s停用。") % {
            "name": result.name, "start": calendar.default_term(result.valid_from_year, result.valid_from_term).label}

    def get_back_url(self):
        return setup_url("growth:templates", self.school)


urls = [
    path("setup/", setup_home, name="setup"),
    path("setup/terms/", TermsView.as_view(), name="terms"),
    path("setup/tier-rule/", TierRuleView.as_view(), name="tier_rule"),
    path("setup/tiers/", TierListView.as_view(), name="tiers"),
    path("setup/tiers/recompute/", TiersRecomputeView.as_view(), name="tiers_recompute"),
    path("setup/tiers/<int:person_id>/assign/", TierAssignView.as_view(), name="tier_assign"),
    path("setup/tiers/<int:person_id>/history/", tier_history, name="tier_history"),
    path("setup/titles/", TitleListView.as_view(), name="titles"),
    path("setup/titles/add/", TitleAddView.as_view(), name="title_add"),
    path("setup/titles/<int:title_id>/review/", TitleReviewView.as_view(), name="title_review"),
    path("setup/templates/", TemplateListView.as_view(), name="templates"),
    path("setup/templates/adopt/", TemplateAdoptView.as_view(), name="template_adopt"),
    path("setup/templates/new/", TemplateCreateView.as_view(), name="template_create"),
    path("setup/templates/<int:template_id>/edit/", TemplateEditView.as_view(), name="template_edit"),
    path("setup/templates/<int:template_id>/history/", template_history, name="template_history"),
    path("setup/templates/<int:template_id>/retire/", TemplateRetireView.as_view(), name="template_retire"),
]
