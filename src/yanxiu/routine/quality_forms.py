"""Forms of the 质量监测 pages: the exam picker, the school's lines and 六项达标 subjects, a grade's targets.

Percentages are typed as percentages (90 for 90%) and handed to the services
as fractions; the services check every bound again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal("100")


def _percent(label, *, low=0, help_text=""):
    return forms.DecimalField(label=label, min_value=Decimal(low), max_value=HUNDRED, decimal_places=1, max_digits=4,
                              help_text=help_text, widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1"}))


def _text(label, *, required=True, help_text=""):
    return forms.CharField(label=label, max_length=30, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs={"class": "form-control"}))


class ExamPickForm(forms.Form):
    """Which exam to show, and which earlier exam to compare it with (进步最快奖)."""

    exam = forms.TypedChoiceField(label=_("考试"), coerce=int, required=False, empty_value=None)
    compare = forms.TypedChoiceField(label=_("对比考试"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, exams):
        super().__init__(data)
        choices = [(e.pk, f"{e.name}（{e.date:%Y-%m-%d}）") for e in exams]
        self.fields["exam"].choices = choices
        self.fields["compare"].choices = [("", _("不对比")), *choices]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class QualitySettingsForm(forms.Form):
    excellent_percent = _percent(_("优秀线（占满分的百分比）"), low=10, help_text=_("默认 90：成绩不低于满分的 90% 为优秀"))
    pass_percent = _percent(_("及格线（占满分的百分比）"), low=10, help_text=_("默认 60：成绩不低于满分的 60% 为及格"))
    subject_1 = _text(_("六项达标学科一"), help_text=_("默认语文"))
    subject_2 = _text(_("六项达标学科二"), help_text=_("默认数学"))


class QualityTargetForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("年级"), coerce=int, choices=[(n, str(n)) for n in range(1, 13)],
                                   widget=forms.Select(attrs={"class": "form-select"}))
    subject = _text(_("学科"), required=False, help_text=_("留空表示该年级的所有学科"))
    excellent_percent = _percent(_("优秀率目标（%）"))
    pass_percent = _percent(_("及格率目标（%）"))
    average = forms.DecimalField(label=_("平均分目标"), min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=2,
                                 max_digits=6, widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}))

    def __init__(self, *args, grade_labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if grade_labels:
            self.fields["grade"].choices = [(n, grade_labels(n)) for n in range(1, 13)]
