"""Organisation pages. Thin: permissions via ``rules``, reads via selectors,
writes via services (through :class:`yanxiu.core.crud.ServiceFormView`)."""

from __future__ import annotations

import io
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from yanxiu.org import scopes
from yanxiu.core import params, public_url
from yanxiu.core.crud import ServiceFormView, render_history

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
from .models import Cluster, Employment, Group, Person, PersonalDataAccess, Region, School

STAFF_PAGE_SIZE = 50


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _deny_unless(allowed: bool):
    if not allowed:
        raise PermissionDenied(_("您没有权限访问此页面。"))


# --- Teacher's own profile ------------------------------------------------------


@login_required
def my_profile(request):
    person = Person.objects.filter(user=request.user).first()
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
        return get_object_or_404(Person, user=self.request.user)

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


def _staff_queryset(request):
    schools = scopes.schools_visible_to(request.user).order_by("code")
    form = StaffFilterForm(request.GET or None, schools=schools)
    search = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    qs = selectors.staff_list(user=request.user, search=search, filters=form.filters() if form.is_bound else {})
    return form, qs


@login_required
def staff_list(request):
    _deny_unless(request.user.has_perm("org.view_staff_list") or scopes.scope_of(request.user).led_groups)
    form, qs = _staff_queryset(request)
    page = Paginator(qs.prefetch_related("groups"), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "page_title": _("教师名册")}
    template = "org/_staff_table.html" if request.headers.get("HX-Request") else "org/staff_list.html"
    return render(request, template, context)


@login_required
def staff_export(request):
    """The staff list as xlsx; ID numbers and phones masked unless the role needs them."""
    _deny_unless(request.user.has_perm("org.view_staff_list") or scopes.scope_of(request.user).led_groups)
    from yanxiu.core import downloads, xlsx

    _form, qs = _staff_queryset(request)
    want_full = request.GET.get("full") == "1"
    if want_full:
        school_ids = set(qs.values_list("school_id", flat=True).distinct())
        allowed = all(request.user.has_perm("org.export_full_personal_data", s) for s in School.objects.filter(pk__in=school_ids))
        _deny_unless(allowed)
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(_("教师名册"))
    header = [_("学校"), _("姓名"), _("性别"), _("身份证号"), _("手机"), _("学段"), _("学科"), _("职称"), _("学历"), _("编制"), _("参加工作年月"), _("梯队"), _("所在组")]
    xlsx.append(ws, header)
    count = 0
    for e in qs.prefetch_related("groups").iterator(chunk_size=2000):
        p = e.person
        xlsx.append(ws, [
            e.school.name, p.name, p.get_gender_display(),
            p.id_number if want_full else p.masked_id_number,
            p.phone if want_full else p.masked_phone,
            e.get_stage_display(), e.subject, e.get_title_display(), e.get_education_display(),
            e.get_employment_type_display(), e.teaching_since.strftime("%Y-%m"), e.get_tier_display(),
            "、".join(g.name for g in e.groups.all()),
        ])
        count += 1
    if want_full:
        services.log_personal_data_access(actor=request.user, action="export", count=count, ip=_client_ip(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("教师名册"), stamp, ext="xlsx"), fallback=f"staff-{stamp}.xlsx")


# --- One teacher ----------------------------------------------------------------------


def _visible_employment(request, pk) -> Employment:
    return get_object_or_404(scopes.employments_visible_to(request.user).select_related("person", "school"), pk=pk)


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
    _deny_unless(request.user.has_perm("org.view_person_full", person))
    services.log_personal_data_access(actor=request.user, action="view", person=person, school=employment.school, ip=_client_ip(request))
    return render(request, "org/_person_full.html", {"person": person})


@never_cache
@login_required
@require_POST
def account_reset(request, pk):
    """The school admin resets a teacher's account: a new one-time password on a
    printed login slip; the old password stops working and failed logins are forgotten."""
    employment = _visible_employment(request, pk)
    _deny_unless(scopes.can_issue_login_slips(request.user, employment.school) and employment.is_current)
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
    school = get_object_or_404(School, pk=school_id)
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
    employments = (
        Employment.objects.current().filter(school=school).select_related("person", "person__user").order_by("person__name", "pk")
    )
    if request.method == "POST":
        wanted = [int(v) for v in request.POST.getlist("person")[:MAX_SLIPS] if v.isdigit()]
        people = list(Person.objects.filter(pk__in=wanted, employments__school=school, employments__end_date__isnull=True))
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
        fields = ["stage", "subject", "position", "title", "education", "employment_type", "teaching_since", "tier"]
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
        if scopes.employments_visible_to(self.request.user).filter(pk=result.pk).exists():
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
        return get_object_or_404(School, pk=self.kwargs["school_id"])

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
    _deny_unless(request.user.has_perm("org.manage_staff", employment.school))
    return render_history(
        request, employment.person, title=_("档案变更记录：%(name)s") % {"name": employment.person.name},
        back_url=reverse("org:person_detail", args=[pk]), hidden_fields=("id_number", "phone"),
    )


# --- Schools and groups -------------------------------------------------------------------


@login_required
def school_list(request):
    s = scopes.scope_of(request.user)
    _deny_unless(s.superuser or s.region_counties or s.admin_schools)
    qs = selectors.school_list(user=request.user, search=params.text_param(request.GET, "q"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "org/school_list.html", {"page_obj": page, "can_add": request.user.has_perm("org.add_school"), "page_title": _("学校")})


@login_required
def school_detail(request, pk):
    school = get_object_or_404(scopes.schools_visible_to(request.user), pk=pk)
    s = scopes.scope_of(request.user)
    _deny_unless(s.superuser or s.region_counties or pk in s.admin_schools)
    from yanxiu.accounts.models import Role, RoleAssignment

    context = {
        "school": school,
        "admins": RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, school=school).select_related("user"),
        "can_appoint": s.superuser or school.county_id in s.bureau_counties,
        "groups": selectors.group_list(user=request.user, school=school),
        "staff_count": Employment.objects.current().filter(school=school).count(),
        "can_manage": request.user.has_perm("org.change_school", school),
        "page_title": school.name,
    }
    return render(request, "org/school_detail.html", context)


class SchoolFormView(ServiceFormView):
    form_class = SchoolForm
    success_message = gettext_lazy("学校信息已保存。")

    def get_form_kwargs(self):
        s = scopes.scope_of(self.request.user)
        from .models import Region

        counties = Region.objects.filter(level="county")
        if not s.superuser:
            counties = counties.filter(pk__in=s.bureau_counties | ({self.object.county_id} if self.object else set()))
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
        return get_object_or_404(scopes.schools_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self, form):
        # The form edits a copy; the service applies the fields to a fresh row.
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields if f not in form.fields or not form.fields[f].disabled}
        fresh = School.objects.get(pk=self.object.pk)
        return services.school_update(actor=self.request.user, school=fresh, **fields)

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.object.pk])


@login_required
def school_history(request, pk):
    school = get_object_or_404(scopes.schools_visible_to(request.user), pk=pk)
    _deny_unless(request.user.has_perm("org.change_school", school))
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
        self.school = get_object_or_404(School, pk=self.kwargs["school_id"])
        return None


class GroupEditView(GroupFormView):
    page_title = gettext_lazy("编辑教研组/备课组")

    def get_object(self):
        group = get_object_or_404(Group.objects.select_related("school"), pk=self.kwargs["pk"])
        self.school = group.school
        return group


# --- Roster import ----------------------------------------------------------------------------

ROSTER_SESSION_KEY = "roster_upload"


@login_required
def roster_import(request, school_id):
    """Upload → preview (dry run, every problem by row and column) → confirm (all-or-nothing)."""
    from . import roster
    from . import tasks as roster_jobs

    school = get_object_or_404(School, pk=school_id)
    _deny_unless(request.user.has_perm("org.import_roster", school))
    report = None
    form = RosterUploadForm()
    # Creating groups the file names and the school lacks is an explicit choice (a checkbox).
    create_groups = request.POST.get("create_groups") == "1"
    if request.method == "POST" and request.POST.get("action") == "confirm":
        pending = request.session.get(ROSTER_SESSION_KEY) or {}
        if pending.get("school") != school.pk or not default_storage.exists(pending.get("path", "")):
            messages.error(request, _("上传的文件已失效，请重新上传。"))
            return redirect("org:roster_import", school_id=school.pk)
        if roster_jobs.pending_is_large(pending):  # a large file is imported by a background job
            return redirect(roster_jobs.start_import(request, school, pending, create_groups=create_groups))
        with default_storage.open(pending["path"], "rb") as fh:
            data = fh.read()
        report = roster.import_roster(actor=request.user, school=school, file_name=pending["name"], data=data,
                                      create_groups=create_groups)
        if report.ok:
            default_storage.delete(pending["path"])
            request.session.pop(ROSTER_SESSION_KEY, None)
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
            if roster_jobs.is_large(upload):  # checked by a background job; its report comes back to this page
                return redirect(roster_jobs.start_preview(request, school, upload, create_groups=create_groups))
            data = upload.read()
            report = roster.preview_roster(school=school, file_name=upload.name, data=data, create_groups=create_groups,
                                           actor=request.user)
            if report.ok:
                previous = request.session.get(ROSTER_SESSION_KEY) or {}
                if previous.get("path") and default_storage.exists(previous["path"]):
                    default_storage.delete(previous["path"])
                suffix = upload.name.rsplit(".", 1)[-1].lower()
                path = default_storage.save(f"roster_uploads/{secrets.token_hex(16)}.{suffix}", io.BytesIO(data))
                request.session[ROSTER_SESSION_KEY] = {"school": school.pk, "path": path, "name": upload.name}
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

    school = get_object_or_404(School, pk=school_id)
    _deny_unless(request.user.has_perm("org.import_roster", school))
    return downloads.download(build_template(school), content_type=xlsx.CONTENT_TYPE,
                              name=downloads.filename(_("教职工花名册模板"), school.name, ext="xlsx"),
                              fallback=f"roster-template-{school.code}.xlsx")


# --- Clusters, administrators, access log -------------------------------------------------------


def _bureau_county(request, county_id) -> Region:
    s = scopes.scope_of(request.user)
    county = get_object_or_404(Region, pk=county_id, level="county")
    _deny_unless(s.superuser or county.pk in s.bureau_counties)
    return county


@login_required
def cluster_list(request):
    s = scopes.scope_of(request.user)
    _deny_unless(s.superuser or s.region_counties)
    counties = Region.objects.filter(level="county")
    if not s.superuser:
        counties = counties.filter(pk__in=s.region_counties)
    clusters = (
        Cluster.objects.filter(county__in=counties)
        .select_related("county", "base_school")
        .annotate(school_count=Count("schools"))
        .order_by("county__code", "name")
    )
    editable = s.superuser or bool(s.bureau_counties)
    return render(request, "org/cluster_list.html", {"clusters": clusters, "counties": counties, "editable": editable, "bureau_counties": s.bureau_counties, "page_title": _("片区与基地校")})


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
        cluster = get_object_or_404(Cluster, pk=self.kwargs["pk"])
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
        school = get_object_or_404(School, pk=self.kwargs["school_id"])
        s = scopes.scope_of(self.request.user)
        _deny_unless(s.superuser or school.county_id in s.bureau_counties)
        return school

    def get_form_kwargs(self):
        return {"school": self.object}

    def perform(self, form):
        return services.school_admin_appoint(actor=self.request.user, school=self.object, person=form.cleaned_data["person"])

    def get_success_url(self, result):
        return reverse("org:school_detail", args=[self.object.pk])

    def get_back_url(self):
        return reverse("org:school_detail", args=[self.object.pk])


@login_required
@require_POST
def role_revoke(request, pk):
    from yanxiu.accounts.models import RoleAssignment

    assignment = get_object_or_404(RoleAssignment.objects.select_related("school"), pk=pk)
    services.role_revoke(actor=request.user, assignment=assignment)
    messages.success(request, _("已撤销。"))
    return redirect("org:school_detail", pk=assignment.school_id) if assignment.school_id else redirect("reports:home")


@login_required
def access_log(request):
    """Who saw or exported full personal data: region staff see their region, school admins their school."""
    s = scopes.scope_of(request.user)
    _deny_unless(s.superuser or s.bureau_counties or s.admin_schools)
    qs = PersonalDataAccess.objects.select_related("actor", "person", "school").order_by("-created_at")
    if not s.superuser:
        from django.db.models import Q

        schools = School.objects.filter(Q(county_id__in=s.bureau_counties) | Q(pk__in=s.admin_schools))
        people = Employment.objects.filter(school__in=schools).values("person_id")
        qs = qs.filter(Q(school__in=schools) | Q(person_id__in=people) | Q(actor=request.user))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "org/access_log.html", {"page_obj": page, "page_title": _("个人信息访问记录")})
