from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from yanxiu.core import params

from . import services
from .forms import ChangePasswordForm, FirstPasswordForm, LoginForm

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
