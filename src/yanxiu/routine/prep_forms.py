"""Forms of the collective preparation pages: a preparation with its attendance, and a 二次备课."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.preps import NOTE_MAX, TEXT_MAX


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows, "maxlength": TEXT_MAX})


class PrepForm(forms.Form):
    """One preparation; ``members`` (people) get a 出席 box and a note each, ``editing`` adds 删除教案."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=10, max_value=480,
                                 widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                                 help_text=_("每周集体备课合计不少于 120 分钟（2 小时）。"))
    subject = forms.CharField(label=_("学科"), max_length=30, widget=forms.TextInput(attrs={"class": "form-control"}))
    grade_name = forms.CharField(label=_("年级"), max_length=20, widget=forms.TextInput(attrs={"class": "form-control"}))
    lesson = forms.CharField(label=_("课题/单元"), max_length=120, widget=forms.TextInput(attrs={"class": "form-control"}))
    lead = forms.TypedChoiceField(label=_("主备人"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    discussion = forms.CharField(label=_("研讨记录"), max_length=TEXT_MAX, widget=_textarea(6))
    plan_file = forms.FileField(label=_("教案"), required=False,
                                widget=forms.FileInput(attrs={"class": "form-control"}),
                                help_text=_("PDF、Word、PowerPoint、Excel 文档或图片。"))

    def __init__(self, *args, members, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["lead"].choices = [("", _("请选择")), *[(p.pk, p.name) for p in self.members]]
        if editing:
            self.fields["remove_plan"] = forms.BooleanField(label=_("删除原教案"), required=False,
                                                            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
        for person in self.members:
            self.fields[f"present_{person.pk}"] = forms.BooleanField(
                label=person.name, required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.fields[f"note_{person.pk}"] = forms.CharField(
                label=_("%(name)s 说明") % {"name": person.name}, max_length=NOTE_MAX, required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("如：请假、外出学习")}))

    def attendance_rows(self):
        """``(person, present field, note field)`` for the template's attendance table."""
        return [(p, self[f"present_{p.pk}"], self[f"note_{p.pk}"]) for p in self.members]

    def main_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("present_", "note_"))]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        out = {name: data[name] for name in ("date", "minutes", "subject", "grade_name", "lesson", "lead", "discussion")}
        out["attendance"] = {p.pk: (bool(data.get(f"present_{p.pk}")), data.get(f"note_{p.pk}", "")) for p in self.members}
        out["plan_file"] = data.get("plan_file") or None
        if "remove_plan" in self.fields:
            out["remove_plan"] = bool(data.get("remove_plan"))
        return out


class SecondPrepForm(forms.Form):
    text = forms.CharField(label=_("二次备课"), max_length=TEXT_MAX, widget=_textarea(10),
                           help_text=_("结合本班学情，写出对集体教案的调整：目标、重难点、环节与作业。"))
