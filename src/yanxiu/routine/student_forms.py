"""Forms of the student file and teaching assignment pages; the services check every rule again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.selectors import current_staff
from yanxiu.training.widgets import PinyinPersonChoiceField

from .services import students as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _area(rows: int, limit: int):
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class FileFilter(BootstrapMixin, forms.Form):
    school_year = forms.IntegerField(label=_("学年"), min_value=1950, max_value=2100, required=False,
                                     widget=forms.NumberInput(attrs={"placeholder": _("学年，如 2025")}))
    grade = forms.IntegerField(label=_("年级"), min_value=1, max_value=12, required=False,
                               widget=forms.NumberInput(attrs={"placeholder": _("年级")}))
    class_no = forms.IntegerField(label=_("班"), min_value=1, max_value=99, required=False,
                                  widget=forms.NumberInput(attrs={"placeholder": _("班")}))
    subject = forms.CharField(label=_("学科"), max_length=services.SUBJECT_MAX, required=False,
                              widget=forms.TextInput(attrs={"placeholder": _("未达标学科")}))


class OpenFilesForm(BootstrapMixin, forms.Form):
    exam = forms.ModelChoiceField(label=_("期末质量监测"), queryset=None, empty_label=None,
                                  help_text=_("为该次考试中任一学科低于及格线的学生建档；已有档案的学生不重复建档。"))

    def __init__(self, *args, exams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exam"].queryset = exams
        self.fields["exam"].label_from_instance = lambda e: f"{e.name}（{e.date:%Y-%m-%d}）"


class PlanForm(BootstrapMixin, forms.Form):
    support_plan = forms.CharField(label=_("辅导计划"), max_length=services.PLAN_MAX, widget=_area(6, services.PLAN_MAX),
                                   help_text=_("如：薄弱环节、辅导方式、每周辅导时间、期望达到的目标"))


class NoteForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("辅导日期"), widget=DATE)
    text = forms.CharField(label=_("辅导记录"), max_length=services.NOTE_MAX, widget=_area(4, services.NOTE_MAX))


class TeachingForm(BootstrapMixin, forms.Form):
    school_year = forms.IntegerField(label=_("学年"), min_value=1950, max_value=2100,
                                     help_text=_("填开始的年份，如 2025 表示 2025—2026 学年"))
    grade = forms.IntegerField(label=_("年级"), min_value=1, max_value=12)
    class_no = forms.IntegerField(label=_("班"), min_value=1, max_value=99)
    subject = forms.CharField(label=_("学科"), max_length=services.SUBJECT_MAX)
    person = PinyinPersonChoiceField(label=_("任课教师"), queryset=None, required=False,
                                     help_text=_("留空表示取消该班该学科的任课"))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = current_staff(school)


class TeachingYearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("学年"), min_value=1950, max_value=2100, required=False,
                              widget=forms.NumberInput(attrs={"placeholder": _("学年，如 2025"), "data-autosubmit": ""}))
