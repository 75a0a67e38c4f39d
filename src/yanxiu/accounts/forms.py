from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from . import throttle


class _Bootstrap:
    """Bootstrap classes on every widget (the site's layout)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-lg")


class LoginForm(_Bootstrap, forms.Form):
    username = forms.CharField(label=_("账号 / 手机号"), max_length=60)
    password = forms.CharField(label=_("密码"), strip=False, max_length=128, widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            reason = getattr(self.request, throttle.REFUSED_ATTR, None)
            if reason is not None:
                raise forms.ValidationError(throttle.refusal_message(reason), code="throttled")
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(throttle.lockout_message(), code="locked")
            # One message for every failure: unknown login, wrong password, expired or used
            # one-time password, inactive account. Nothing tells which logins exist.
            raise forms.ValidationError(_("账号或密码不正确，或一次性密码已过期、已使用。"), code="invalid_login")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class FirstPasswordForm(_Bootstrap, SetPasswordForm):
    """The first password after a one-time password (just entered at login, and
    already spent), so the current password is not asked again."""


class ChangePasswordForm(_Bootstrap, PasswordChangeForm):
    """A later change: the current password first."""
