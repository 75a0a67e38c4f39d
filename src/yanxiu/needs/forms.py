import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yanxiu.core.widgets import CheckboxGroup
from yanxiu.org.forms import BootstrapMixin
from yanxiu.training.models import ContentCategory, TrainingKind, school_year_of
from yanxiu.training.selectors import categories_for

from .models import PreferredTime


def _checkboxes():
    return CheckboxGroup()


class SurveyForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    school_year = forms.CharField(label=_("学年"), max_length=9, help_text=_("如 2026-2027"))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    categories = forms.ModelMultipleChoiceField(
        label=_("可选内容"), queryset=ContentCategory.objects.none(), widget=_checkboxes(), required=False,
        help_text=_("教师从中勾选需要的培训内容；★ 为必修内容"),
    )
    intro = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("调研目的与填写要求，教师填写时可见"))

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = categories_for(region=school.county).order_by("sort_order", "code")

    @staticmethod
    def initial_for(school) -> dict:
        year = school_year_of(timezone.localdate())
        return {
            "title": _("%(year)s 学年教师培训需求调研") % {"year": year},
            "school_year": year,
            "closes_on": timezone.localdate() + dt.timedelta(days=14),
            "categories": list(categories_for(region=school.county).values_list("pk", flat=True)),
        }


class ResponseForm(BootstrapMixin, forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("需要的培训内容"), queryset=ContentCategory.objects.none(), widget=_checkboxes(), required=False,
    )
    kinds = forms.MultipleChoiceField(label=_("希望的培训形式"), choices=TrainingKind.choices, widget=_checkboxes(), required=False)
    times = forms.MultipleChoiceField(label=_("希望的时间"), choices=PreferredTime.choices, widget=_checkboxes(), required=False)
    suggestion = forms.CharField(label=_("其他需求与建议"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text=_("不超过 1000 字"))

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = survey.categories.order_by("sort_order", "code")
