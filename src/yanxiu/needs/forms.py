import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yanxiu.core.widgets import CheckboxGroup
from yanxiu.org.forms import BootstrapMixin
from yanxiu.training.models import ContentCategory, TrainingKind, school_year_of
from yanxiu.training.selectors import categories_for

from .models import SCALE_MAX_POINTS, SCALE_MIN_POINTS, TEXT_MAX_LENGTH, Audience, PreferredTime, Purpose, QuestionKind


def _checkboxes():
    return CheckboxGroup()


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


# --- Questionnaires -------------------------------------------------------------


class QuestionnaireCreateForm(BootstrapMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("用途"), choices=[(Purpose.NEEDS, Purpose.NEEDS.label), (Purpose.OTHER, Purpose.OTHER.label)],
                                widget=forms.RadioSelect, initial=Purpose.NEEDS,
                                help_text=_("需求调研从默认题目开始（培训内容、形式、时间、建议），可以再修改；培训活动的评价问卷请在活动页面发起。"))
    title = forms.CharField(label=_("标题"), max_length=120, required=False, help_text=_("不填则按用途自动命名"))


class QuestionnaireSettingsForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    intro = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("填写目的与要求，教师填写时可见"))
    anonymous = forms.BooleanField(label=_("匿名填写"), required=False,
                                   help_text=_("匿名问卷只记录谁已填写（用于统计填写率和提醒），答卷不记录填写人，任何页面和导出都看不到谁答了什么。"))
    audience = forms.ChoiceField(label=_("填写对象"), choices=[(Audience.ALL, Audience.ALL.label), (Audience.GROUPS, Audience.GROUPS.label)],
                                 widget=forms.RadioSelect)
    groups = forms.ModelMultipleChoiceField(label=_("教研组"), queryset=None, required=False, widget=CheckboxGroup(),
                                            help_text=_("填写对象为“部分教研组”时勾选"))
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        from yanxiu.org.models import Group

        self.fields["groups"].queryset = Group.objects.filter(school_id=questionnaire.school_id).order_by("kind", "name")
        if questionnaire.session_id is not None or questionnaire.school_id is None:
            # A session's evaluation asks those who attended; a county questionnaire all the county's teachers.
            del self.fields["audience"]
            del self.fields["groups"]

    @staticmethod
    def initial_for(q) -> dict:
        return {"title": q.title, "intro": q.intro, "anonymous": q.anonymous, "audience": q.audience,
                "groups": list(q.groups.values_list("pk", flat=True)), "opens_on": q.opens_on, "closes_on": q.closes_on}


class QuestionForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=300)
    help_text = forms.CharField(label=_("说明"), max_length=300, required=False)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    options = forms.CharField(label=_("选项"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("单选题、多选题：每行一个选项"))
    min_picks = forms.IntegerField(label=_("至少选"), required=False, min_value=0, max_value=50, help_text=_("多选题，可不填"))
    max_picks = forms.IntegerField(label=_("至多选"), required=False, min_value=1, max_value=50, help_text=_("多选题，可不填"))
    scale_points = forms.IntegerField(label=_("量表分值"), required=False, min_value=SCALE_MIN_POINTS, max_value=SCALE_MAX_POINTS,
                                      help_text=_("量表题：1 到 N 分，N 为 2 到 10"))
    low_label = forms.CharField(label=_("1 分的含义"), max_length=30, required=False, help_text=_("量表题，如“很不满意”"))
    high_label = forms.CharField(label=_("最高分的含义"), max_length=30, required=False, help_text=_("量表题，如“非常满意”"))
    max_length = forms.IntegerField(label=_("字数上限"), required=False, min_value=1, max_value=TEXT_MAX_LENGTH,
                                    help_text=_("简答题，不填为 500 字"))

    def clean_options(self):
        text = self.cleaned_data.get("options") or ""
        if len(text) > 20_000:
            raise forms.ValidationError(_("选项内容过长。"))
        return [line.strip() for line in text.splitlines() if line.strip()]

    @staticmethod
    def initial_for(question) -> dict:
        return {"kind": question.kind, "text": question.text, "help_text": question.help_text, "required": question.required,
                "options": "\n".join(o.label for o in question.options.order_by("position", "pk")),
                "min_picks": question.min_picks, "max_picks": question.max_picks, "scale_points": question.scale_points,
                "low_label": question.low_label, "high_label": question.high_label, "max_length": question.max_length}
