"""Forms of teaching-routine checks: a kind of check, a check with a row per teacher checked, feedback, the term picker."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.growth.forms import DateInput
from yanxiu.org.forms import BootstrapMixin
from yanxiu.training.widgets import PinyinPersonChoiceField

from .choices import Cadence, Grade
from .services.checks import MAX_ATTACHMENTS, MAX_FINDINGS

#: Blank teacher rows a new check shows.
FINDING_ROWS = 8


class CheckKindForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("检查项目"), max_length=40)
    cadence = forms.ChoiceField(label=gettext_lazy("检查周期"), choices=Cadence.choices)
    per_period = forms.IntegerField(label=gettext_lazy("每周期次数"), min_value=1, max_value=20, initial=1)
    feedback_days = forms.IntegerField(label=gettext_lazy("反馈期限（天）"), min_value=0, max_value=60, required=False,
                                       help_text=gettext_lazy("检查后须在此天数内向教师反馈；不要求反馈则留空。"))
    leaders_only = forms.BooleanField(label=gettext_lazy("由学校领导检查（校长、副校长、中层干部）"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("在用"), required=False, initial=True)
    position = forms.IntegerField(label=gettext_lazy("顺序"), min_value=0, max_value=999, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``MAX_ATTACHMENTS`` files; their content is checked by the service (``core.uploads.check_evidence``)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("每次检查最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS})
        single = super().clean
        return [single(f, initial) for f in files]


class FindingForm(forms.Form):
    person = PinyinPersonChoiceField(label=gettext_lazy("被检查教师"), queryset=None, required=False)
    class_name = forms.CharField(label=gettext_lazy("班级"), max_length=20, required=False)
    grade = forms.ChoiceField(label=gettext_lazy("等级"), choices=[("", "—"), *Grade.choices], required=False)
    comment = forms.CharField(label=gettext_lazy("意见"), max_length=500, required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select form-select-sm" if name in ("person", "grade") else "form-control form-control-sm"
            field.widget.attrs["aria-label"] = str(field.label)

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in ("class_name", "grade", "comment"))
        if filled and not data.get("person"):
            self.add_error("person", _("请选择被检查教师。"))
        if data.get("person") and not data.get("grade"):
            self.add_error("grade", _("请选择等级。"))
        return data


FindingFormSet = forms.formset_factory(FindingForm, extra=FINDING_ROWS, max_num=MAX_FINDINGS, absolute_max=MAX_FINDINGS,
                                       validate_max=True)


class CheckForm(BootstrapMixin, forms.Form):
    """A check and, below it, a row per teacher checked (``self.findings``, a formset)."""

    kind = forms.ModelChoiceField(label=gettext_lazy("检查项目"), queryset=None)
    date = forms.DateField(label=gettext_lazy("检查日期"), widget=DateInput)
    checker = PinyinPersonChoiceField(label=gettext_lazy("检查人"), queryset=None)
    scope = forms.CharField(label=gettext_lazy("检查范围"), max_length=120, required=False,
                            help_text=gettext_lazy("如：三年级语文、全校作业"))
    summary = forms.CharField(label=gettext_lazy("检查小结"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=gettext_lazy("附件"), required=False,
                                    help_text=gettext_lazy("最多 5 个，JPG、PNG、WebP 图片或 PDF 文件（检查记录、教案照片等）。"))

    def __init__(self, data=None, files=None, *, kinds, staff, checkers=None, initial=None, **kwargs):
        super().__init__(data=data, files=files, initial=initial, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["checker"].queryset = staff if checkers is None else checkers
        self.fields["attachments"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.webp,.pdf"
        self.findings = FindingFormSet(data=data, prefix="f", form_kwargs={"staff": staff})
        rows = self.findings.forms
        if rows:  # every row offers the same staff: read and sort them once, not once per row
            choices = list(rows[0].fields["person"].choices)
            for row in rows:
                row.fields["person"].choices = choices

    def is_valid(self) -> bool:
        own = super().is_valid()
        return self.findings.is_valid() and own

    def finding_rows(self) -> list[dict]:
        return [
            {k: row.cleaned_data.get(k) for k in ("person", "class_name", "grade", "comment")}
            for row in self.findings.forms if row.cleaned_data.get("person")
        ]

    def check_fields(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("kind", "date", "checker", "scope", "summary")}


class FeedbackForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("反馈日期"), widget=DateInput, required=False)


class TermForm(forms.Form):
    """The term a count page shows: the school year (2025 = 2025—2026) and the term."""

    year = forms.TypedChoiceField(label=gettext_lazy("学年"), coerce=int)
    term = forms.TypedChoiceField(label=gettext_lazy("学期"), coerce=int,
                                  choices=[(1, gettext_lazy("第一学期")), (2, gettext_lazy("第二学期"))])

    def __init__(self, data, *, years):
        super().__init__(data)
        self.fields["year"].choices = [(y, f"{y}—{y + 1}") for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
