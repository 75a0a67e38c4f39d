"""Organisation pages. Thin: permissions via ``rules``, reads via selectors,
writes via services (through :class:`yanxiu.core.crud.ServiceFormView`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yanxiu.org import scopes
from yanxiu.core import params, public_url
from yanxiu.core.crud import ServiceActionView, ServiceFormView, render_history
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.core.pending_uploads import is_large_size

from . import selectors, services
from .forms import (
    AppointAdminForm,
    ClusterForm,
    EmploymentForm,
    GroupForm,
    ProfileForm,
    RosterUploadForm,
    SchoolForm,
    StaffFilterForm,
    TeacherForm,
    TransferForm,
)
from .models import Employment, Group, Region, School

STAFF_PAGE_SIZE = 50
#: Above this many schools the staff list's school filter is not a full dropdown.
MAX_SCHOOL_CHOICES = 200


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


#: What a refused page says (``scopes.require(allowed, PAGE_DENIED)``).
PAGE_DENIED = gettext_lazy("您没有权限访问此页面。")


# A role that may never do what a page does is refused (403) before the object is
# looked up; the object then comes from a scoped selector, so one outside the
# user's schools or region is a 404, and one inside it they may not change a 403.


def _require_staff_manager(request) -> None:
    """The bureau or a school admin: the roles that manage staff and groups somewhere."""
    s = scopes.scope_of(request.user)
    scopes.require(bool(s.superuser or s.bureau_counties or s.admin_schools), PAGE_DENIED)


def _require_bureau(request) -> None:
    scopes.require(scopes.scope_of(request.user).is_bureau, PAGE_DENIED)


# --- Teacher's own profile ------------------------------------------------------


@login_required
def my_profile(request):
    person = selectors.own_person(user=request.user)
    if person is None:
        messages.info(request, _("您的账号没有关联教师档案。"))
        return redirect("reports:home")
    services.log_personal_data_access(actor=request.user, action="view", person=person, ip=_client_ip(request))
    return render(
        request,
        "org/my_profile.html",
        {"person": person, "employments": selectors.employment_history(person=person), "page_title": _("我的档案")},
    )


class ProfileEditView(ServiceFormView):
    form_class = ProfileForm
    page_title = gettext_lazy("修改个人信息")
    success_message = gettext_lazy("个人信息已保存。")

    def get_object(self):
        person = selectors.own_person(user=self.request.user)
        if person is None:
            raise Http404(_("您的账号没有关联教师档案。"))
        return person

    def get_initial(self):
        return {"phone": self.object.phone}

    def perform(self, form):
        # The legal name (and the ID number) are changed by the school admin only.
        return services.person_update(actor=self.request.user, person=self.object, name=self.object.name, phone=form.cleaned_data["phone"])

    def get_success_url(self, result):
        return reverse("org:my_profile")

    def get_back_url(self):
        return reverse("org:my_profile")


# --- Staff list -------------------------------------------------------------------


def _groups_text(employment) -> str:
    return "、".join(g.name for g in employment.groups.all())


class StaffListView(ScopedListView):
    """The staff list; ``?export=xlsx`` (or the ``org:staff_export`` address) is the same rows as xlsx.

    ID numbers and phones are masked on the page and in the export; ``full=1`` on
    the export gives them in full to a role allowed them for every school listed,
    and is logged in ``PersonalDataAccess``.
    """

    template_name = "org/staff_list.html"
    page_title = gettext_lazy("教师名册")
    empty_message = gettext_lazy("没有符合条件的教师。")
    table_id = "staff-table"
    paginate_by = STAFF_PAGE_SIZE
    filters = StaffFilterForm
    export_filename = gettext_lazy("教师名册")
    export_fallback = "staff"
    # A whole province's staff (300,000) is written by a background job; beyond this, filter first.
    max_export_rows = 500_000
    columns = [
        Column("name", gettext_lazy("姓名"), value="person.name", link=lambda e: reverse("org:person_detail", args=[e.pk])),
        Column("school", gettext_lazy("学校"), value="school.name"),
        Column("gender", gettext_lazy("性别"), value="person.get_gender_display", classes="hide-sm"),
        Column("id_number", gettext_lazy("身份证号"), value="person.masked_id_number", classes="masked hide-sm"),
        Column("phone", gettext_lazy("手机"), value="person.masked_phone", classes="masked"),
        Column("stage_subject", gettext_lazy("学段/学科"), value=lambda e: f"{e.get_stage_display()} {e.subject}", classes="hide-sm"),
        Column("title", gettext_lazy("职称"), value="get_title_display", classes="hide-sm"),
        Column("tier", gettext_lazy("梯队"), value=lambda e: e.get_tier_display() or "—", classes="hide-sm"),
        Column("groups", gettext_lazy("所在组"), value=_groups_text, classes="hide-sm"),
    ]

    def check_permission(self):
        user = self.request.user
        scopes.require(user.has_perm("org.view_staff_list") or bool(scopes.scope_of(user).led_groups), _("您没有权限访问此页面。"))

    def get_filter_form_kwargs(self):
        return {"schools": selectors.visible_schools(user=self.request.user).order_by("code")}

    def build_filter_form(self):
        # Bound whenever the query says anything, as the page always did (an empty form filters nothing).
        form = StaffFilterForm(self.request.GET or None, **self.get_filter_form_kwargs())
        field = form.fields["school"]
        if field.queryset.count() > MAX_SCHOOL_CHOICES:
            # A region of thousands of schools: the dropdown would outweigh the page. Every school is
            # still accepted (from the school list's links); the dropdown offers the chosen one only.
            chosen = params.parse_id(self.request.GET.get("school"))
            picked = [(s.pk, s.name) for s in field.queryset.filter(pk=chosen)] if chosen else []
            field.widget.choices = [("", _("全部学校（从学校列表选择）")), *picked]
        return form

    def get_queryset(self):
        return selectors.staff_list(user=self.request.user)

    def filter_queryset(self, qs, data):
        return selectors.staff_list(user=self.request.user, search=data.get("q", ""), filters=self.filter_form.filters())

    def get_rows(self):
        return super().get_rows().prefetch_related("groups")

    def get_list_url(self):
        return reverse("org:staff_list")

    # Export ------------------------------------------------------------------
    def _want_full(self) -> bool:
        return self.request.GET.get("full") == "1"

    def export_columns(self):
        full = self._want_full()
        person = lambda attr: (lambda e: getattr(e.person, attr))  # noqa: E731
        return [
            Column("school", _("学校"), value="school.name"),
            Column("name", _("姓名"), value="person.name"),
            Column("gender", _("性别"), value="person.get_gender_display"),
            Column("id_number", _("身份证号"), value=person("id_number" if full else "masked_id_number")),
            Column("phone", _("手机"), value=person("phone" if full else "masked_phone")),
            Column("stage", _("学段"), value="get_stage_display"),
            Column("subject", _("学科"), value="subject"),
            Column("title", _("职称"), value="get_title_display"),
            Column("education", _("学历"), value="get_education_display"),
            Column("employment_type", _("编制"), value="get_employment_type_display"),
            Column("teaching_since", _("参加工作年月"), value=lambda e: e.teaching_since.strftime("%Y-%m")),
            Column("tier", _("梯队"), value="get_tier_display"),
            Column("groups", _("所在组"), value=_groups_text),
        ]

    def _check_full(self, rows_qs) -> None:
        """Full numbers only when the user may export them for every school listed."""
        school_ids = set(rows_qs.values_list("school_id", flat=True).distinct())
        schools = selectors.visible_schools(user=self.request.user).filter(pk__in=school_ids)
        scopes.require(all(self.request.user.has_perm("org.export_full_personal_data", s) for s in schools), PAGE_DENIED)

    def _log_full(self, count: int) -> None:
        services.log_personal_data_access(actor=self.request.user, action="export", count=count, ip=_client_ip(self.request))

    def export_response(self, rows_qs):
        if self._want_full():
            self._check_full(rows_qs)
        response = super().export_response(rows_qs)
        if self._want_full() and response.status_code == 200:  # written now, not refused or sent to a job
            self._log_full(rows_qs.count())
        return response

    def write_export(self, path, rows, *, job_id):
        # The same export written by a background job (a long list): checked and logged the same way.
        if self._want_full():
            self._check_full(rows)
        super().write_export(path, rows, job_id=job_id)
        if self._want_full():
            self._log_full(rows.count())


# --- One teacher ----------------------------------------------------------------------


def _visible_employment(request, pk) -> Employment:
    return get_object_or_404(selectors.visible_employments(user=request.user), pk=pk)


@login_required
def person_detail(request, pk):
    employment = _visible_employment(request, pk)
    person = employment.person
    context = {
        "employment": employment,
        "person": person,
        "employments": selectors.employment_history(person=person),
        "can_reveal": request.user.has_perm("org.view_person_full", person),
        "can_manage": request.user.has_perm("org.manage_staff", employment.school) and employment.is_current,
        "can_transfer": request.user.has_perm("org.transfer_employment", employment),
        "page_title": person.name,
    }
    return render(request, "org/person_detail.html", context)


@login_required
@require_POST
def person_reveal(request, pk):
    """Full ID number and phone, for a role that needs them; each reveal is logged."""
    employment = _visible_employment(request, pk)
    person = employment.person
    scopes.require(request.user.has_perm("org.view_person_full", person), PAGE_DENIED)
    services.log_personal_data_access(actor=request.user, action="view", person=person, school=employment.school, ip=_client_ip(request))
    return render(request, "org/_person_full.html", {"person": person})


@never_cache
@login_required
@require_POST
def account_reset(request, pk):
    """The school admin resets a teacher's account: a new one-time password on a
    printed login slip; the old password stops working and failed logins are forgotten."""
    employment = _visible_employment(request, pk)
    scopes.require(scopes.can_issue_login_slips(request.user, employment.school) and employment.is_current, PAGE_DENIED)
    slips = services.initial_passwords_issue(actor=request.user, school=employment.school, people=[employment.person])
    return render(
        request,
        "accounts/login_slips_print.html",
        {"school": employment.school, "slips": slips, "login_url": public_url.absolute_url(reverse("accounts:login"), request),
         "page_title": _("登录单：%(name)s") % {"name": employment.person.name}},
    )


MAX_SLIPS = 2000


# --- Login slips (一次性初始密码登录单) --------------------------------------------------


def _school_for_slips(request, school_id):
    s = scopes.scope_of(request.user)
    scopes.require(bool(s.superuser or s.admin_schools), _("只有本校的师训管理员可以生成初始密码、打印登录单。"))
    school = get_object_or_404(selectors.visible_schools(user=request.user), pk=school_id)
    if not scopes.can_issue_login_slips(request.user, school):
        raise PermissionDenied(_("只有本校的师训管理员可以生成初始密码、打印登录单。"))
    return school


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def login_slips(request, school_id):
    """GET: the school's teachers, those not yet given a slip ticked.
    POST: new one-time passwords for the ticked teachers, one printable slip each.
    The passwords are shown on this response only and never stored in clear."""
    school = _school_for_slips(request, school_id)
    employments = selectors.login_slip_rows(school=school)
    if request.method == "POST":
        wanted = [int(v) for v in request.POST.getlist("person")[:MAX_SLIPS] if v.isdigit()]
        people = list(selectors.current_staff(school).filter(pk__in=wanted))
        if not people:
            messages.error(request, _("请至少勾选一位教师。"))
            return redirect("org:login_slips", school_id=school.pk)
        slips = services.initial_passwords_issue(actor=request.user, school=school, people=people)
        return render(
            request,
            "accounts/login_slips_print.html",
            {"school": school, "slips": slips, "login_url": public_url.absolute_url(reverse("accounts:login"), request),
             "page_title": _("登录单：%(school)s") % {"school": school.name}},
        )
    rows = []
    for e in employments:
        user = e.person.user
        pending = user is None or (user.must_change_password and not user.has_pending_otp and user.last_login is None)
        rows.append({"person": e.person, "user": user, "pending": pending})
    return render(
        request,
        "accounts/login_slips.html",
        {"school": school, "rows": rows, "page_title": _("生成初始密码 / 打印登录单：%(school)s") % {"school": school.name}},
    )


class EmploymentEditView(ServiceFormView):
    form_class = EmploymentForm
    template_name = "org/employment_form.html"
    permission = "org.manage_staff"
    page_title = gettext_lazy("编辑教师信息")
    success_message = gettext_lazy("教师信息已保存。")

    def get_object(self):
        employment = _visible_employment(self.request, self.kwargs["pk"])
        if not employment.is_current:
            raise PermissionDenied(_("已离校的任职记录不能修改。"))
        return employment

    def permission_object(self):
        return self.object.school

    def get_form_kwargs(self):
        return {"school": self.object.school}

    def get_initial(self):
        e = self.object
        fields = ["stage", "subject", "position", "title", "education", "employment_type", "teaching_since"]
        return {"name": e.person.name, "phone": e.person.phone, "groups": list(e.groups.all()), **{f: getattr(e, f) for f in fields}}

    def perform(self, form):
        data = dict(form.cleaned_data)
        name, phone, groups = data.pop("name"), data.pop("phone"), list(data.pop("groups"))
        id_number = data.pop("id_number", "")
        services.person_update(actor=self.request.user, person=self.object.person, name=name, phone=phone, id_number=id_number)
        return services.employment_update(actor=self.request.user, employment=self.object, groups=groups, **data)

    def get_success_url(self, result):
        return reverse("org:person_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("org:person_detail", args=[self.object.pk])


class TransferView(ServiceFormView):
    form_class = TransferForm
    permission = "org.transfer_employment"
    page_title = gettext_lazy("教师调动")
    submit_label = gettext_lazy("确认调动")
    success_message = gettext_lazy("调动已完成，教师的档案随人转入新学校。")

    def get_object(self):
        return _visible_employment(self.request, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"targets": scopes.transfer_targets_for(self.request.user, self.object).order_by("code")}

    def get_initial(self):
        return {"date": timezone.localdate()}

    def perform(self, form):
        return services.teacher_transfer(actor=self.request.user, employment=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        if selectors.visible_employments(user=self.request.user).filter(pk=result.pk).exists():
            return reverse("org:person_detail", args=[result.pk])
        return reverse("org:staff_list")

    def get_back_url(self):
        return reverse("org:person_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        kwargs["page_title"] = _("调动：%(name)s（%(school)s）") % {"name": self.object.person.name, "school": self.object.school.name}
        return kwargs


class TeacherAddView(ServiceFormView):
    form_class = TeacherForm
    permission = "org.manage_staff"
    page_title = gettext_lazy("新增教师")
    success_message = gettext_lazy("教师已添加。请在学校页面“生成初始密码 / 打印登录单”，把登录单发给本人。")

    def get_object(self):
        _require_staff_manager(self.request)
        return get_object_or_404(selectors.visible_schools(user=self.request.user), pk=self.kwargs["school_id"])

    def get_form_kwargs(self):
        return {"school": self.object}

    def get_initial(self):
        return {"stage": self.object.stage if self.object.stage != "nine_year" else "primary"}

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["groups"] = list(data["groups"])
        return services.teacher_register(actor=self.request.user, school=self.object, **data)

    def get_success_url(self, result):
        return reverse("org:person_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.object.pk])


@login_required
def person_history(request, pk):
    employment = _visible_employment(request, pk)
    scopes.require(request.user.has_perm("org.manage_staff", employment.school), PAGE_DENIED)
    return render_history(
        request, employment.person, title=_("档案变更记录：%(name)s") % {"name": employment.person.name},
        back_url=reverse("org:person_detail", args=[pk]), hidden_fields=("id_number", "phone"),
    )


# --- Schools and groups -------------------------------------------------------------------


class SchoolListView(ScopedListView):
    page_title = gettext_lazy("学校")
    template_name = "org/school_list.html"
    empty_message = gettext_lazy("没有学校。")
    search_placeholder = gettext_lazy("学校名称或标识码")
    columns = [
        Column("code", gettext_lazy("学校标识码"), sortable=True),
        Column("name", gettext_lazy("学校名称"), template="org/_school_name_cell.html", export_value=lambda s: s.name, sortable=True),
        Column("stage", gettext_lazy("学段"), value="get_stage_display"),
        Column("cluster", gettext_lazy("片区"), value=lambda s: s.cluster or "—", classes="hide-sm", export_value=lambda s: str(s.cluster or "")),
        Column("staff_count", gettext_lazy("在职教师"), sortable=True),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.region_counties or s.admin_schools), _("您没有权限访问此页面。"))

    def get_queryset(self):
        return selectors.school_list(user=self.request.user)

    def search_queryset(self, qs, text):
        return selectors.school_list(user=self.request.user, search=text) if text else qs

    def get_context_data(self, **kwargs):
        return {**kwargs, "can_add": self.request.user.has_perm("org.add_school")}


@login_required
def school_detail(request, pk):
    school = get_object_or_404(selectors.visible_schools(user=request.user), pk=pk)
    s = scopes.scope_of(request.user)
    scopes.require(s.superuser or s.region_counties or pk in s.admin_schools, PAGE_DENIED)
    from yanxiu.accounts.models import Role

    context = {
        "school": school,
        "admins": selectors.visible_role_assignments(user=request.user).filter(role=Role.SCHOOL_ADMIN, school=school),
        "can_appoint": s.superuser or school.county_id in s.bureau_counties,
        "groups": selectors.group_list(user=request.user, school=school),
        "staff_count": selectors.current_staff(school).count(),
        "can_manage": request.user.has_perm("org.change_school", school),
        "page_title": school.name,
    }
    return render(request, "org/school_detail.html", context)


class SchoolFormView(ServiceFormView):
    form_class = SchoolForm
    success_message = gettext_lazy("学校信息已保存。")

    def get_form_kwargs(self):
        s = scopes.scope_of(self.request.user)
        counties = selectors.school_form_counties(user=self.request.user, school=self.object)
        kwargs = {"counties": counties, "bureau": s.is_bureau}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, **self.get_form_kwargs())

    def get_success_url(self, result):
        return reverse("org:school_detail", args=[result.pk])


class SchoolCreateView(SchoolFormView):
    permission = "org.add_school"
    page_title = gettext_lazy("新建学校")

    def permission_object(self):
        return None

    def perform(self, form):
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        return services.school_create(actor=self.request.user, **fields)

    def get_back_url(self):
        return reverse("org:school_list")


class SchoolEditView(SchoolFormView):
    permission = "org.change_school"
    page_title = gettext_lazy("编辑学校")

    def get_object(self):
        return get_object_or_404(selectors.visible_schools(user=self.request.user), pk=self.kwargs["pk"])

    def perform(self, form):
        # The form edits a copy; the service applies the fields to a fresh row.
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields if f not in form.fields or not form.fields[f].disabled}
        fresh = School.objects.get(pk=self.object.pk)
        return services.school_update(actor=self.request.user, school=fresh, **fields)

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.object.pk])


@login_required
def school_history(request, pk):
    school = get_object_or_404(selectors.visible_schools(user=request.user), pk=pk)
    scopes.require(request.user.has_perm("org.change_school", school), PAGE_DENIED)
    return render_history(request, school, title=_("学校变更记录：%(name)s") % {"name": school.name}, back_url=reverse("org:school_detail", args=[pk]))


class GroupFormView(ServiceFormView):
    form_class = GroupForm
    permission = "org.change_school"
    success_message = gettext_lazy("教研组已保存。")

    def permission_object(self):
        return self.school

    def get_form_kwargs(self):
        kwargs = {"school": self.school}
        if self.object is not None:
            kwargs["instance"] = Group.objects.get(pk=self.object.pk)
        return kwargs

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, **self.get_form_kwargs())

    def perform(self, form):
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        group = Group.objects.get(pk=self.object.pk) if self.object else None
        return services.group_save(actor=self.request.user, school=self.school, group=group, **fields)

    def get_success_url(self, result):
        return reverse("org:school_detail", args=[self.school.pk])

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.school.pk])


class GroupCreateView(GroupFormView):
    page_title = gettext_lazy("新建教研组/备课组")

    def get_object(self):
        _require_staff_manager(self.request)
        self.school = get_object_or_404(selectors.visible_schools(user=self.request.user), pk=self.kwargs["school_id"])
        return None


class GroupEditView(GroupFormView):
    page_title = gettext_lazy("编辑教研组/备课组")

    def get_object(self):
        _require_staff_manager(self.request)
        group = get_object_or_404(selectors.visible_groups(user=self.request.user), pk=self.kwargs["pk"])
        self.school = group.school
        return group


# --- Roster import ----------------------------------------------------------------------------


@login_required
def roster_import(request, school_id):
    """Upload → preview (dry run, every problem by row and column) → confirm (all-or-nothing)."""
    from . import roster
    from . import tasks as roster_jobs

    _require_staff_manager(request)
    school = get_object_or_404(selectors.visible_schools(user=request.user), pk=school_id)
    scopes.require(request.user.has_perm("org.import_roster", school), PAGE_DENIED)
    report = None
    form = RosterUploadForm()
    # Creating groups the file names and the school lacks is an explicit choice (a checkbox).
    create_groups = request.POST.get("create_groups") == "1"
    if request.method == "POST" and request.POST.get("action") == "confirm":
        pending = roster_jobs.PENDING.get(request, school)
        if pending is None:
            messages.error(request, _("上传的文件已失效，请重新上传。"))
            return redirect("org:roster_import", school_id=school.pk)
        if roster_jobs.PENDING.is_large(pending):  # a large file is imported by a background job
            return redirect(roster_jobs.start_import(request, school, pending, create_groups=create_groups))
        report = roster.import_roster(actor=request.user, school=school, file_name=pending["name"],
                                      data=roster_jobs.PENDING.read(pending),
                                      create_groups=create_groups)
        if report.ok:
            roster_jobs.PENDING.drop(request)
            messages.success(
                request,
                _("导入成功：共 %(rows)d 行，新增 %(created)d 人，更新 %(updated)d 人。")
                % {"rows": report.rows, "created": report.created, "updated": report.updated},
            )
            return redirect(f"{reverse('org:staff_list')}?school={school.pk}")
    elif request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if is_large_size(upload.size):  # checked by a background job; its report comes back to this page
                return redirect(roster_jobs.start_preview(request, school, upload, create_groups=create_groups))
            data = upload.read()
            report = roster.preview_roster(school=school, file_name=upload.name, data=data, create_groups=create_groups,
                                           actor=request.user)
            if report.ok:
                roster_jobs.PENDING.save(request, school, name=upload.name, content=data)
    elif "job" in request.GET:  # the report of a roster job started from this page
        report, create_groups = roster_jobs.report_of(request, school)
    return render(
        request,
        "org/roster_import.html",
        {"school": school, "form": form, "report": report, "create_groups": create_groups,
         "page_title": _("导入教师花名册：%(school)s") % {"school": school.name}},
    )


@login_required
def roster_template(request, school_id):
    """The roster template for this school: headers, an example row, dropdowns of its 学段 and groups."""
    from yanxiu.core import downloads, xlsx

    from .roster_template import build_template

    _require_staff_manager(request)
    school = get_object_or_404(selectors.visible_schools(user=request.user), pk=school_id)
    scopes.require(request.user.has_perm("org.import_roster", school), PAGE_DENIED)
    return downloads.download(build_template(school), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("教职工花名册模板"), school.name, ext="xlsx"),
                              fallback=f"roster-template-{school.code}.xlsx")


# --- Clusters, administrators, access log -------------------------------------------------------


def _bureau_county(request, county_id) -> Region:
    _require_bureau(request)
    s = scopes.scope_of(request.user)
    county = get_object_or_404(selectors.region_counties(user=request.user), pk=county_id)
    scopes.require(s.superuser or county.pk in s.bureau_counties, PAGE_DENIED)
    return county


class ClusterListView(ScopedListView):
    """The clusters of the user's region, county by county."""

    page_title = gettext_lazy("片区与基地校")
    template_name = "org/cluster_list.html"
    table_template = "org/_cluster_table.html"
    paginate_by = 200
    columns = [
        Column("name", gettext_lazy("片区")),
        Column("base_school", gettext_lazy("基地校"), value=lambda c: c.base_school or "—"),
        Column("school_count", gettext_lazy("学校数")),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.region_counties), _("您没有权限访问此页面。"))

    def get_queryset(self):
        return selectors.cluster_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        editable = {c.pk for c in selectors.bureau_counties(user=self.request.user)}
        return {**kwargs, "counties": selectors.region_counties(user=self.request.user).order_by("code"), "editable_counties": editable}


class ClusterFormView(ServiceFormView):
    form_class = ClusterForm
    success_message = gettext_lazy("片区已保存。")

    def get_form_kwargs(self):
        return {"county": self.county}

    def perform(self, form):
        return services.cluster_save(actor=self.request.user, county=self.county, cluster=self.object, **form.cleaned_data)

    def get_success_url(self, result):
        return reverse("org:cluster_list")

    def get_back_url(self):
        return reverse("org:cluster_list")


class ClusterCreateView(ClusterFormView):
    page_title = gettext_lazy("新建片区")

    def get_object(self):
        self.county = _bureau_county(self.request, self.kwargs["county_id"])
        return None


class ClusterEditView(ClusterFormView):
    page_title = gettext_lazy("编辑片区")

    def get_object(self):
        _require_bureau(self.request)
        cluster = get_object_or_404(selectors.cluster_list(user=self.request.user), pk=self.kwargs["pk"])
        self.county = _bureau_county(self.request, cluster.county_id)
        return cluster

    def get_initial(self):
        return {"name": self.object.name, "base_school": self.object.base_school}


class AppointAdminView(ServiceFormView):
    form_class = AppointAdminForm
    page_title = gettext_lazy("任命学校师训管理员")
    submit_label = gettext_lazy("任命")
    success_message = gettext_lazy("已任命。")

    def get_object(self):
        _require_bureau(self.request)
        school = get_object_or_404(selectors.visible_schools(user=self.request.user), pk=self.kwargs["school_id"])
        s = scopes.scope_of(self.request.user)
        scopes.require(s.superuser or school.county_id in s.bureau_counties, PAGE_DENIED)
        return school

    def get_form_kwargs(self):
        return {"school": self.object}

    def perform(self, form):
        return services.school_admin_appoint(actor=self.request.user, school=self.object, person=form.cleaned_data["person"])

    def get_success_url(self, result):
        return reverse("org:school_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.object.pk])


class RoleRevokeView(ServiceActionView):
    """The bureau withdraws a role (a school's admin); region staff and admins cannot."""

    success_message = gettext_lazy("已撤销。")

    def check_role(self):
        _require_bureau(self.request)

    def get_object(self):
        return get_object_or_404(selectors.visible_role_assignments(user=self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.role_revoke(actor=self.request.user, assignment=self.object)

    def get_success_url(self, result):
        if self.object.school_id:
            return reverse("org:school_detail", args=[self.object.school_id])
        return reverse("reports:home")

    def get_back_url(self):
        return self.get_success_url(None)


class AccessLogView(ScopedListView):
    """Who saw or exported full personal data: region staff see their region, school admins their school."""

    page_title = gettext_lazy("个人信息访问记录")
    template_name = "org/access_log.html"
    empty_message = gettext_lazy("暂无记录")
    columns = [
        Column("created_at", gettext_lazy("时间"), value=lambda r: timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M")),
        Column("actor", gettext_lazy("操作人"), value=lambda r: r.actor or "—"),
        Column("action", gettext_lazy("动作"), value="get_action_display"),
        Column("target", gettext_lazy("对象"), value=lambda r: r.person or r.school or "—"),
        Column("record_count", gettext_lazy("记录数")),
        Column("ip_address", gettext_lazy("IP 地址"), value=lambda r: r.ip_address or "—", classes="hide-sm"),
    ]

    def check_permission(self):
        s = scopes.scope_of(self.request.user)
        scopes.require(bool(s.superuser or s.bureau_counties or s.admin_schools), _("您没有权限访问此页面。"))

    def get_queryset(self):
        return selectors.personal_data_access_log(user=self.request.user)
