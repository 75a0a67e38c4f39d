"""Growth pages: the growth record (成长记录袋) of a teacher's year, its PDF, the year-end
assessment forms, the school's sign-off, the school's list of records and their zip."""

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
from django.views.decorators.http import require_POST

from yanxiu.core import jobs, params
from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes

from .. import access, calendar, year_tasks
from ..choices import ReviewerRole
from ..models import YearReview
from ..record_file import colleagues, file_people, record_file, reviewable_people, school_files
from ..services import years as services

DENIED = gettext_lazy("您没有权限查看该教师的成长记录袋。")


def _year(value) -> int:
    try:
        return calendar.check_year(int(value))
    except (TypeError, ValueError) as exc:
        raise params.BadParameter(str(exc)) from exc


def _this_year(person=None) -> int:
    from yanxiu.org.selectors import current_school

    school = current_school(person) if person is not None else None
    today = timezone.localdate()
    return calendar.school_year_of(school, today) if school is not None else calendar.nominal_school_year(today)


def _file(request, person_id: int, year: int):
    person = get_object_or_404(file_people(request.user), pk=person_id)
    f = record_file(request.user, person, _year(year))
    if f is None:
        raise Http404(DENIED)
    return f


class ReviewForm(forms.Form):
    score = forms.IntegerField(label=gettext_lazy("得分（0–100）"), min_value=0, max_value=100)
    comment = forms.CharField(label=gettext_lazy("评语"), max_length=services.COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, prefix_role: str = "", **kwargs):
        super().__init__(*args, prefix=prefix_role or None, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


def _review_forms(user, f) -> list[dict]:
    """The assessment parts ``user`` may fill on this page (their own review prefilled)."""
    if f.read_only or f.signed_off or f.employment is None or not f.begun:
        return []
    mine = {r.review.role: r.review for r in f.reviews if r.review.reviewer_id == user.pk}
    out = []
    for role, label in ReviewerRole.choices:
        if role == ReviewerRole.PEER or not services.may_write(user, f.person, role, f.employment):
            continue  # peers write from their own list of colleagues (growth:peers)
        existing = mine.get(role)
        initial = {"score": existing.score, "comment": existing.comment} if existing else {}
        out.append({"role": role, "label": label, "existing": existing,
                    "form": ReviewForm(initial=initial, prefix_role=role)})
    return out


@login_required
def file_page(request, person_id: int, year: int):
    f = _file(request, person_id, year)
    can_sign = f.begun and not f.read_only and not f.signed_off and services.may_sign_off(request.user, f.person, f.employment)
    context = {
        "f": f, "forms": _review_forms(request.user, f), "can_sign_off": can_sign,
        "is_self": f.relation == access.SELF, "back_url": _school_files_url(request.user, f),
        "page_title": _("%(name)s · 成长记录袋 %(year)s") % {"name": f.person.name, "year": f.year_label},
    }
    return render(request, "growth/years/file.html", context)


def _school_files_url(user, f) -> str:
    """The school's list of files, for an admin of the teacher's current school: the page they came from."""
    if f.relation != access.CURRENT or f.employment is None or f.employment.school_id not in scopes.scope_of(user).admin_schools:
        return ""
    return reverse("growth:school_files") + f"?school={f.employment.school_id}&year={f.school_year}"


@login_required
def file_year(request, person_id: int):
    """The year selector's target (and the file's address without a year): the chosen year's page."""
    person = get_object_or_404(file_people(request.user), pk=person_id)
    year = params.year_param(request.GET, "year") or _this_year(person)
    return redirect("growth:file", person_id=person.pk, year=year)


@login_required
def my_file(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("您没有教师档案。"))
    return redirect("growth:file", person_id=person.pk, year=_this_year(person))


@login_required
def file_pdf(request, person_id: int, year: int):
    from yanxiu.core import downloads

    f = _file(request, person_id, year)
    return downloads.download(year_tasks.file_pdf(f), content_type="application/pdf", name=year_tasks.file_pdf_name(f),
                              fallback=f"growth-{f.person.pk}-{f.school_year}.pdf")


class ReviewView(ServiceFormView):
    """One part of the assessment: the file page's forms post here; a peer opens it from growth:peers."""

    form_class = ReviewForm
    submit_label = gettext_lazy("保存评价")

    def get_object(self):
        self.role = self.kwargs["role"]
        if self.role not in ReviewerRole.values:
            raise Http404(_("未知的评价类型。"))
        self.year = _year(self.kwargs["year"])
        return get_object_or_404(reviewable_people(self.request.user), pk=self.kwargs["person_id"])

    def check(self) -> None:
        super().check()
        if not services.may_write(self.request.user, self.object, self.role):
            raise PermissionDenied(_("您不能填写这一部分评价。"))
        self.existing = YearReview.objects.filter(
            growth_year__person=self.object, growth_year__school_year=self.year, role=self.role, reviewer=self.request.user).first()
        self.page_title = _("%(role)s：%(name)s %(year)s 学年") % {
            "role": ReviewerRole(self.role).label, "name": self.object.name, "year": f"{self.year}—{self.year + 1}"}

    def get_form_kwargs(self) -> dict:
        return {"prefix_role": self.role}

    def get_initial(self) -> dict:
        return {"score": self.existing.score, "comment": self.existing.comment} if self.existing else {}

    def perform(self, form):
        return services.year_review_write(actor=self.request.user, person=self.object, school_year=self.year, role=self.role,
                                          score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])

    def get_success_url(self, result) -> str:
        if self.role == ReviewerRole.PEER:
            return reverse("growth:peers", args=[self.year])
        return reverse("growth:file", args=[self.object.pk, self.year])

    def get_back_url(self) -> str:
        return self.get_success_url(None)

    @property
    def success_message(self):
        return _("评价已保存。")


class SignOffView(ServiceActionView):
    def get_object(self):
        self.year = _year(self.kwargs["year"])
        return get_object_or_404(file_people(self.request.user), pk=self.kwargs["person_id"])

    def check_permission(self) -> None:
        if not services.may_sign_off(self.request.user, self.object):
            raise PermissionDenied(_("只有教师所在学校的管理员可以签署成长记录袋。"))

    def perform(self):
        comment = str(self.request.POST.get("comment", ""))[: services.SIGN_OFF_COMMENT_MAX + 1]
        return services.year_sign_off(actor=self.request.user, person=self.object, school_year=self.year, comment=comment)

    def get_success_message(self, result) -> str:
        return _("成长记录袋已签署，本学年已锁定。")

    def get_back_url(self) -> str:
        return reverse("growth:file", args=[self.object.pk, self.year])


def _admin_school(request):
    school = scopes.admin_school(request.user, request.GET.get("school") or request.POST.get("school"))
    if school is None or not access.can_manage(request.user, school):
        raise PermissionDenied(_("只有学校管理员可以查看本校的成长记录袋。"))
    return school


def _years_offered(year: int) -> list[int]:
    this_year = _this_year()
    return sorted(set(range(this_year - 9, this_year + 1)) | {year}, reverse=True)


class YearFilter(forms.Form):
    """The list's year (applied by the view itself) and school, carried by its search and pager."""

    year = forms.TypedChoiceField(label=gettext_lazy("学年"), coerce=int, required=False)
    school = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}-{y + 1}") for y in years]
        self.fields["year"].widget.attrs.update({"class": "form-select", "aria-label": gettext_lazy("学年")})


class SchoolFilesView(ScopedListView):
    page_title = gettext_lazy("本校成长记录袋")
    template_name = "growth/years/school_files.html"
    empty_message = gettext_lazy("本校没有在职教师。")
    search_fields = ["person__name"]
    search_placeholder = gettext_lazy("姓名")
    export_filename = gettext_lazy("成长记录袋签署情况")
    export_fallback = "growth-files"
    filters = YearFilter

    def check_permission(self) -> None:
        self.school = _admin_school(self.request)
        self.year = _year(params.year_param(self.request.GET, "year") or _this_year())

    def get_filter_form_kwargs(self) -> dict:
        return {"years": _years_offered(self.year), "initial": {"year": self.year, "school": self.school.pk}}

    def filter_queryset(self, qs, data):
        return qs  # the year is the selector's argument and the school the admin's (see check_permission)

    def get_columns(self):
        year = self.year
        return [
            Column("name", gettext_lazy("姓名"), value="person.name", sortable=True,
                   link=lambda e: reverse("growth:file", args=[e.person_id, year])),
            Column("subject", gettext_lazy("学科"), classes="hide-sm"),
            Column("review_count", gettext_lazy("评价数"), classes="hide-sm"),
            Column("signed_off_at", gettext_lazy("签署"), template="growth/years/_signed.html", sortable=True),
        ]

    def get_queryset(self):
        return school_files(self.request.user, self.school, self.year)

    def get_context_data(self, **kwargs):
        rows = school_files(self.request.user, self.school, self.year)
        kwargs.update(school=self.school, year=self.year, total=rows.count(),
                      signed=rows.filter(signed_off_at__isnull=False).count(),
                      page_title=_("%(school)s · 成长记录袋") % {"school": self.school.name})
        return kwargs


@login_required
@require_POST
def school_files_zip(request):
    school = _admin_school(request)
    year = _year(params.year_param(request.POST, "year") or _this_year())
    job = jobs.start(user=request.user, kind="growth.files_zip", task=year_tasks.school_files_zip,
                     label=_("成长记录袋打包：%(school)s %(year)s") % {"school": school.name, "year": f"{year}-{year + 1}"},
                     return_url=reverse("growth:school_files") + f"?school={school.pk}&year={year}",
                     school_id=school.pk, year=year)
    return redirect(job)


class PeersView(ScopedListView):
    """A teacher's colleagues, each with the peer review form of the year."""

    page_title = gettext_lazy("同伴互评")
    empty_message = gettext_lazy("本校没有其他在职教师。")
    search_fields = ["name"]
    search_placeholder = gettext_lazy("姓名")

    def check_permission(self) -> None:
        self.year = _year(self.kwargs["year"])
        if scopes.scope_of(self.request.user).person_id is None:
            raise PermissionDenied(_("只有教师可以参加同伴互评。"))

    def get_columns(self):
        year = self.year
        return [
            Column("name", gettext_lazy("姓名"), sortable=True,
                   link=lambda p: reverse("growth:file_review", args=[p.pk, year, ReviewerRole.PEER])),
            Column("done", gettext_lazy("我的评价"), value=lambda p: _("已评 %(s)s 分") % {"s": p.my_score} if p.my_score is not None else _("未评")),
        ]

    def get_queryset(self):
        from django.db.models import OuterRef, Subquery

        mine = YearReview.objects.filter(growth_year__person_id=OuterRef("pk"), growth_year__school_year=self.year,
                                         role=ReviewerRole.PEER, reviewer=self.request.user)
        return colleagues(self.request.user).annotate(my_score=Subquery(mine.values("score")[:1])).order_by("name", "pk")

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("同伴互评 %(year)s 学年") % {"year": f"{self.year}—{self.year + 1}"}
        return kwargs


urls = [
    path("file/", my_file, name="my_file"),
    path("file/<int:person_id>/", file_year, name="file_year"),
    path("file/<int:person_id>/<int:year>/", file_page, name="file"),
    path("file/<int:person_id>/<int:year>/pdf/", file_pdf, name="file_pdf"),
    path("file/<int:person_id>/<int:year>/review/<str:role>/", ReviewView.as_view(), name="file_review"),
    path("file/<int:person_id>/<int:year>/sign-off/", SignOffView.as_view(), name="file_sign_off"),
    path("files/", SchoolFilesView.as_view(), name="school_files"),
    path("files/zip/", school_files_zip, name="school_files_zip"),
    path("peers/<int:year>/", PeersView.as_view(), name="peers"),
]
