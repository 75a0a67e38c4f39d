from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .backends import find_user


class LoginForm(forms.Form):
    username = forms.CharField(label=_("账号 / 手机号 / 身份证号"), max_length=60)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        known = find_user(username)
        if known is not None and known.is_locked:
            minutes = max(1, int((known.locked_until - timezone.now()).total_seconds() // 60) + 1)
            raise forms.ValidationError(
                _("连续登录失败次数过多，账号已锁定，请 %(minutes)d 分钟后再试，或联系学校管理员解锁。"),
                code="locked",
                params={"minutes": minutes},
            )
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            known = find_user(username)
            if known is not None and known.is_locked:
                raise forms.ValidationError(
                    _("连续登录失败次数过多，账号已锁定，请稍后再试，或联系学校管理员解锁。"), code="locked"
                )
            raise forms.ValidationError(_("账号或密码不正确。"), code="invalid_login")
        if not self.user_cache.is_active:
            raise forms.ValidationError(_("该账号已停用。"), code="inactive")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class FirstPasswordForm(SetPasswordForm):
    """Set a new password; used both for the first login and for later changes."""
