"""Forms of the competition pages; the services check every rule again."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.growth.choices import Level
from yanxiu.org.forms import BootstrapMixin
from yanxiu.training.widgets import PinyinPersonChoiceField, SearchableSelect

from . import competition_selectors as selectors
from .choices import CompetitionKind, CompetitionStatus
from .services import competitions as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompetitionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("竞赛名称"), max_length=services.NAME_MAX)
    kind = forms.ChoiceField(label=_("类型"), choices=CompetitionKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices, initial=Level.SCHOOL)
    date = forms.DateField(label=_("比赛日期"), widget=DATE)
    drop_extremes = forms.BooleanField(label=_("去掉一个最高分和一个最低分（3 位及以上评委评分时）"), required=False, initial=True)
    first_prizes = forms.IntegerField(label=_("一等奖名额"), min_value=0, max_value=services.MAX_PRIZES, initial=1)
    second_prizes = forms.IntegerField(label=_("二等奖名额"), min_value=0, max_value=services.MAX_PRIZES, initial=2)
    third_prizes = forms.IntegerField(label=_("三等奖名额"), min_value=0, max_value=services.MAX_PRIZES, initial=3)


class ItemsForm(BootstrapMixin, forms.Form):
    """The scoring sheet as rows of name, weight and max score; empty rows are ignored."""

    def __init__(self, *args, rows: int = services.MAX_ITEMS, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for n in range(rows):
            self.fields[f"name_{n}"] = forms.CharField(label=_("评分项目"), max_length=services.ITEM_NAME_MAX, required=False)
            self.fields[f"weight_{n}"] = forms.DecimalField(label=_("权重"), min_value=Decimal("0.01"), max_value=Decimal("1"),
                                                            max_digits=3, decimal_places=2, required=False,
                                                            widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
            self.fields[f"max_{n}"] = forms.IntegerField(label=_("满分"), min_value=1, max_value=1000, required=False,
                                                         widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def rows(self):
        return [(self[f"name_{n}"], self[f"weight_{n}"], self[f"max_{n}"]) for n in range(self.row_count)]

    def clean(self):
        data = super().clean()
        items = []
        for n in range(self.row_count):
            name, weight, top = data.get(f"name_{n}"), data.get(f"weight_{n}"), data.get(f"max_{n}")
            if not name and weight is None and top is None:
                continue
            if not name or weight is None or top is None:
                raise forms.ValidationError(_("第 %(n)s 行须同时填写项目名称、权重和满分。") % {"n": n + 1})
            items.append({"name": name, "weight": weight, "max_score": top})
        data["items"] = items
        return data


class JudgeForm(BootstrapMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("评委"), queryset=None, widget=SearchableSelect,
                                  help_text=_("本校在职教职工，或上级教育局、研训中心的工作人员"))

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        taken = competition.judges.values("user_id")
        entrants = competition.entries.values("person__user_id")
        field = self.fields["user"]
        field.queryset = selectors.judge_candidates(competition.school).exclude(pk__in=taken).exclude(pk__in=entrants)
        field.label_from_instance = selectors.judge_display_name


class EntryForm(BootstrapMixin, forms.Form):
    person = PinyinPersonChoiceField(label=_("参赛教师"), queryset=None)
    lesson = forms.CharField(label=_("参赛课题/作品"), max_length=services.LESSON_MAX)
    materials = forms.FileField(label=_("参赛材料"), required=False,
                                help_text=_("教学设计、课件、视频等：PDF、Word、PowerPoint、Excel、图片或 MP4/MOV 视频"))

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (selectors.entrant_candidates(competition.school)
                                          .exclude(pk__in=competition.entries.values("person_id")))


class ScoreForm(forms.Form):
    """One entry's scores by one judge: a big input per item of the sheet."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.DecimalField(
                label=item.name, min_value=Decimal("0"), max_value=Decimal(item.max_score), max_digits=7, decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-lg", "inputmode": "decimal",
                                                "step": "0.01", "min": "0", "max": str(item.max_score)}),
                error_messages={"required": _("请给“%(item)s”打分。") % {"item": item.name}})

    def rows(self):
        return [(item, self[f"item_{item.pk}"]) for item in self.items]

    def values(self) -> dict:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class CompetitionFilter(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *CompetitionStatus.choices])
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部类型")), *CompetitionKind.choices])
