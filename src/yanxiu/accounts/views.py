from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yanxiu.core import params, public_url

from . import scopes, services
from .forms import ChangePasswordForm, FirstPasswordForm, LoginForm

MAX_SLIPS = 2000


def _safe_next(request, fallback="reports:home"):
    return params.safe_next(request, fallback)


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user(), backend="yanxiu.accounts.backends.YanxiuBackend")
        return redirect(_safe_next(request))
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", ""), "page_title": _("登录")})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    first = request.user.must_change_password
    form_class = FirstPasswordForm if first else ChangePasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        return redirect(_safe_next(request))
    title = _("首次登录，请设置自己的密码") if first else _("修改密码")
    return render(request, "accounts/password_change.html", {"form": form, "first": first, "page_title": title})


logout_view = auth_views.LogoutView.as_view()


# --- Login slips (一次性初始密码登录单) --------------------------------------------------


def _school_for_slips(request, school_id):
    from yanxiu.org.models import School

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
    from yanxiu.org.models import Employment, Person

    school = _school_for_slips(request, school_id)
    employments = (
        Employment.objects.current().filter(school=school).select_related("person", "person__user").order_by("person__name", "pk")
    )
    if request.method == "POST":
        wanted = [int(v) for v in request.POST.getlist("person")[:MAX_SLIPS] if v.isdigit()]
        people = list(Person.objects.filter(pk__in=wanted, employments__school=school, employments__end_date__isnull=True))
        if not people:
            messages.error(request, _("请至少勾选一位教师。"))
            return redirect("accounts:login_slips", school_id=school.pk)
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
