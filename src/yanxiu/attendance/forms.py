from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ReflectionRule


class CodeForm(forms.Form):
    session = forms.TypedChoiceField(label=_("培训活动"), coerce=int, widget=forms.RadioSelect)
    code = forms.CharField(
        label=_("6 位数字码"), min_length=6, max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}",
                                      "class": "form-control form-control-lg text-center", "style": "letter-spacing:.4em"}),
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [
            (s.pk, f"{s.title}（{timezone.localtime(s.starts_at):%H:%M}–{timezone.localtime(s.ends_at):%H:%M} {s.place}）")
            for s in sessions
        ]
        if len(self.fields["session"].choices) == 1:
            self.fields["session"].initial = self.fields["session"].choices[0][0]


class MarkForm(forms.Form):
    status = forms.ChoiceField(label=_("考勤状态"))
    reason = forms.CharField(label=_("登记理由"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}),
                             help_text=_("例如：手机没电，现场核实出席；持病假条。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = services.mark_choices()
        self.fields["status"].widget.attrs["class"] = "form-select"


class ReflectionForm(forms.Form):
    notes = forms.CharField(label=_("学习笔记"), required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}))
    body = forms.CharField(label=_("研修反思"), widget=forms.Textarea(attrs={"rows": 10, "class": "form-control"}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审阅结果"), choices=[("accept", _("通过")), ("return", _("退回修改"))],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label=_("审阅意见"), required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class RuleForm(forms.ModelForm):
    class Meta:
        model = ReflectionRule
        fields = ["min_reflection_chars", "min_notes_chars"]
        widgets = {
            "min_reflection_chars": forms.NumberInput(attrs={"class": "form-control"}),
            "min_notes_chars": forms.NumberInput(attrs={"class": "form-control"}),
        }


class AbsenceFilterForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}))

    def range(self):
        """The chosen dates, defaulting to the school year so far (from 1 September)."""
        import datetime as dt

        from django.utils import timezone

        today = timezone.localdate()
        year_start = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = data.get("start") or year_start, data.get("end") or today
        return (start, end) if start <= end else (end, start)
