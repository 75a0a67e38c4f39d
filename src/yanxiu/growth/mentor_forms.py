"""Forms of the mentor pair pages; the services check every rule again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.selectors import current_staff
from yanxiu.training.widgets import PinyinPersonChoiceField

from . import calendar
from .choices import AssessmentResult, MentorActivityKind
from .services import mentors as mentor_services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TERM_CHOICES = [("", _("整学年")), ("1", _("第一学期")), ("2", _("第二学期"))]


def _area(rows: int = 3, limit: int = 2000):
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class PairForm(BootstrapMixin, forms.Form):
    mentor = PinyinPersonChoiceField(label=_("师傅"), queryset=None)
    apprentice = PinyinPersonChoiceField(label=_("徒弟"), queryset=None)
    school_year = forms.IntegerField(label=_("学年"), min_value=calendar.MIN_YEAR, max_value=calendar.MAX_YEAR,
                                     help_text=_("填开始的年份，如 2025 表示 2025—2026 学年"))
    term = forms.TypedChoiceField(label=_("学期"), choices=TERM_CHOICES, required=False, coerce=int, empty_value=None)
    subject = forms.CharField(label=_("学科"), max_length=30, required=False)
    goals = forms.CharField(label=_("结对目标"), max_length=mentor_services.GOALS_MAX,
                            widget=_area(4, mentor_services.GOALS_MAX))
    mentor_duties = forms.CharField(label=_("师傅职责"), max_length=mentor_services.DUTIES_MAX, required=False,
                                    widget=_area(3, mentor_services.DUTIES_MAX))
    apprentice_duties = forms.CharField(label=_("徒弟职责"), max_length=mentor_services.DUTIES_MAX, required=False,
                                        widget=_area(3, mentor_services.DUTIES_MAX))
    ceremony_date = forms.DateField(label=_("结对仪式日期"), required=False, widget=DATE)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        staff = current_staff(school)
        self.fields["mentor"].queryset = staff
        self.fields["apprentice"].queryset = staff


class ActivityForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=MentorActivityKind.choices)
    date = forms.DateField(label=_("日期"), widget=DATE)
    content = forms.CharField(label=_("内容"), max_length=mentor_services.CONTENT_MAX,
                              widget=_area(4, mentor_services.CONTENT_MAX),
                              help_text=_("如：听了哪节课、指导了什么、谈了什么、下一步怎么做"))


class SummaryForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("结对总结"), max_length=mentor_services.SUMMARY_MAX,
                           widget=_area(8, mentor_services.SUMMARY_MAX))


class AssessForm(BootstrapMixin, forms.Form):
    result = forms.ChoiceField(label=_("考核结果"), choices=AssessmentResult.choices, widget=forms.RadioSelect)
    assessment = forms.CharField(label=_("学校考核意见"), max_length=mentor_services.ASSESSMENT_MAX, required=False,
                                 widget=_area(3, mentor_services.ASSESSMENT_MAX), help_text=_("考核为不合格时必须填写"))


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("解除理由"), max_length=mentor_services.REASON_MAX,
                             widget=_area(2, mentor_services.REASON_MAX))
