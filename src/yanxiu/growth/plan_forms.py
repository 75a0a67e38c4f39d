"""Forms of the development plan pages: the plan, a term goal, its outcome and a review."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import calendar
from .services.plans import PLAN_MAX_SPAN, TEXT_MAX


def _year_choices(around: int) -> list[tuple[int, str]]:
    years = range(max(calendar.MIN_YEAR, around - 10), min(calendar.MAX_YEAR, around + PLAN_MAX_SPAN + 1) + 1)
    return [(y, f"{y}—{y + 1}") for y in years]


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, "maxlength": TEXT_MAX})


class PlanForm(forms.Form):
    start_year = forms.TypedChoiceField(label=_("起始学年"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    end_year = forms.TypedChoiceField(label=_("截止学年"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}),
                                      help_text=_("规划最长五年（截止学年不晚于起始学年后五年）。"))
    self_analysis = forms.CharField(label=_("自我分析"), max_length=TEXT_MAX, widget=_textarea(),
                                    help_text=_("现状、优势与不足。"))
    goals = forms.CharField(label=_("发展目标"), max_length=TEXT_MAX, widget=_textarea())
    measures = forms.CharField(label=_("主要措施"), max_length=TEXT_MAX, required=False, widget=_textarea())

    def __init__(self, *args, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _year_choices(this_year)
        self.fields["start_year"].choices = choices
        self.fields["end_year"].choices = choices


class GoalForm(forms.Form):
    school_year = forms.TypedChoiceField(label=_("学年"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    term = forms.TypedChoiceField(label=_("学期"), coerce=int, choices=[(1, _("第一学期")), (2, _("第二学期"))],
                                  widget=forms.Select(attrs={"class": "form-select"}))
    goal = forms.CharField(label=_("学期目标"), max_length=TEXT_MAX, widget=_textarea(4))
    outcome = forms.CharField(label=_("完成情况"), max_length=TEXT_MAX, required=False, widget=_textarea(3),
                              help_text=_("期末填写目标的完成情况，也可以稍后填写。"))

    def __init__(self, *args, this_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(max(calendar.MIN_YEAR, this_year - 5), min(calendar.MAX_YEAR, this_year + 1) + 1)
        self.fields["school_year"].choices = [(y, f"{y}—{y + 1}") for y in reversed(years)]


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("完成情况"), max_length=TEXT_MAX, widget=_textarea(4))


class ReviewForm(forms.Form):
    """Accept (``accept=1``) or return (``accept=0``, with a reason)."""

    accept = forms.TypedChoiceField(coerce=int, choices=[(1, _("通过")), (0, _("退回"))])
    reason = forms.CharField(label=_("审核意见"), max_length=300, required=False)
