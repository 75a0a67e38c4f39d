"""Filter forms of the training list pages (``ScopedListView.filters``).

Each field is named after the model field it filters, so the list view's
default filtering applies it to the rows the selector already scoped.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yanxiu.core import params
from yanxiu.org.forms import BootstrapMixin

from .models import Project


class ProjectFilterForm(BootstrapMixin, forms.Form):
    school_year = forms.CharField(
        label=_("学年"), required=False, max_length=9,
        widget=forms.TextInput(attrs={"placeholder": _("学年，如 2026-2027"), "aria-label": _("学年")}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *Project.Status.choices],
        widget=forms.Select(attrs={"aria-label": _("状态")}),
    )

    def clean_school_year(self) -> str:
        value = self.cleaned_data["school_year"].strip()
        if not value:
            return ""
        try:
            return params.school_year_param({"school_year": value}, "school_year", default="")
        except params.BadParameter as exc:
            raise ValidationError(str(exc)) from None
