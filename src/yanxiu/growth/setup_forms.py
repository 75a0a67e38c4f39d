"""Forms of the growth set-up pages: terms, the tier rule, tiers, titles and task templates.

Every field is bounded (lengths, years, counts); the services check the
content again and their Chinese messages land on the field they name.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.org.choices import Tier
from yanxiu.org.forms import BootstrapMixin, DateInput
from yanxiu.training.widgets import PinyinPersonChoiceField

from .calendar import MAX_YEAR, MIN_YEAR
from .choices import ITEM_KIND_CHOICES, HonourKind, HonourStatus, Level, Period, TemplatePeriod, TierBasis, TierSource
from .presets import PRESETS
from .services.templates import MAX_ITEMS

TERM_CHOICES = [(1, _("第一学期")), (2, _("第二学期"))]
#: The filter value for an active title whose ``valid_until`` has passed.
EXPIRED = "expired"
#: The filter value for a teacher without a tier this year.
NO_TIER = "none"


def school_year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=_("学年"), min_value=MIN_YEAR, max_value=MAX_YEAR,
                              help_text=_("填写学年的起始年份，如 2025 表示 2025—2026 学年"), **kwargs)


class TermsForm(BootstrapMixin, forms.Form):
    """Both terms of one school year (the year is chosen on the page)."""

    term1_start = forms.DateField(label=_("第一学期开始"), widget=DateInput)
    term1_end = forms.DateField(label=_("第一学期结束"), widget=DateInput)
    term2_start = forms.DateField(label=_("第二学期开始"), widget=DateInput)
    term2_end = forms.DateField(label=_("第二学期结束"), widget=DateInput)

    def clean(self):
        data = super().clean()
        for name, value in data.items():
            if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
                self.add_error(name, _("日期须在 %(lo)s 年到 %(hi)s 年之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
        return data

    def spans(self) -> list[tuple]:
        d = self.cleaned_data
        return [(d["term1_start"], d["term1_end"]), (d["term2_start"], d["term2_end"])]


class TierRuleForm(BootstrapMixin, forms.Form):
    basis = forms.ChoiceField(label=_("划分依据"), choices=TierBasis.choices, widget=forms.RadioSelect)
    young_below_years = forms.IntegerField(label=_("青年教师：教龄不足（年）"), min_value=1, max_value=40,
                                           help_text=_("按教龄划分时使用（001 篇4：教龄 5 年以下为青年教师）"))
    backbone_until_years = forms.IntegerField(label=_("骨干培养对象：教龄至（年）"), min_value=1, max_value=45,
                                              help_text=_("教龄在此之内（含）为骨干培养对象，超过为成熟教师"))
    young_max_age = forms.IntegerField(label=_("青年教师：年龄不超过（岁）"), min_value=20, max_value=60,
                                       help_text=_("按年龄划分时使用（001 篇1：35 周岁以下为青年教师）"))


class TierAssignForm(BootstrapMixin, forms.Form):
    tier = forms.ChoiceField(label=_("梯队"), choices=Tier.choices)
    reason = forms.CharField(label=_("理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class SchoolHiddenMixin(forms.Form):
    """The school (and year) a list works on, kept when its filters are submitted."""

    school = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class TierFilterForm(BootstrapMixin, SchoolHiddenMixin):
    year = forms.IntegerField(required=False, widget=forms.HiddenInput)
    tier = forms.ChoiceField(label=_("梯队"), choices=[("", _("全部梯队")), *Tier.choices, (NO_TIER, _("未划分"))], required=False)
    source = forms.ChoiceField(label=_("来源"), choices=[("", _("全部来源")), *TierSource.choices], required=False)


class TitleAddForm(BootstrapMixin, forms.Form):
    person = PinyinPersonChoiceField(label=_("教师"), queryset=None, empty_label=_("请选择教师"))
    kind = forms.ChoiceField(label=_("称号"), choices=HonourKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    year = forms.IntegerField(label=_("评选年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    body = forms.CharField(label=_("命名单位"), max_length=120, help_text=_("如：长沙县教育局"))
    valid_until = forms.DateField(label=_("有效期至"), widget=DateInput, required=False)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff

    def clean_valid_until(self):
        value = self.cleaned_data.get("valid_until")
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(_("日期须在 %(lo)s 年到 %(hi)s 年之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR})
        return value


class TitleReviewForm(BootstrapMixin, forms.Form):
    school_year = school_year_field()
    passed = forms.TypedChoiceField(label=_("考核结果"), choices=[("1", _("通过")), ("0", _("不通过（撤销称号）"))],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect)
    comment = forms.CharField(label=_("考核意见"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("不通过时必填"))


class TitleFilterForm(BootstrapMixin, SchoolHiddenMixin):
    kind = forms.ChoiceField(label=_("称号"), choices=[("", _("全部称号")), *HonourKind.choices], required=False)
    level = forms.ChoiceField(label=_("级别"), choices=[("", _("全部级别")), *Level.choices], required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *HonourStatus.choices, (EXPIRED, _("已过有效期"))],
                               required=False)


def preset_choices() -> list[tuple[str, str]]:
    out = []
    for p in PRESETS:
        target = _("学校领导") if p.get("for_leaders") else Tier(p["tier"]).label
        out.append((p["key"], f"{p['name']}（{target}）"))
    return out


class TemplateAdoptForm(BootstrapMixin, forms.Form):
    preset_key = forms.ChoiceField(label=_("预设模板"), choices=preset_choices)
    year = school_year_field()
    term = forms.TypedChoiceField(label=_("起始学期"), choices=TERM_CHOICES, coerce=int)


class TaskItemForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *ITEM_KIND_CHOICES])
    label = forms.CharField(label=_("要求"), max_length=80, required=False)
    target = forms.IntegerField(label=_("数量"), min_value=1, max_value=200)
    per = forms.ChoiceField(label=_("每"), choices=Period.choices, initial=Period.TERM)
    # Other kinds the item also counts (a preset's 公开课 counts 研究课 too): carried over from the version edited.
    also_counts = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the items are table rows: each input is named by its column
            field.widget.attrs.setdefault("aria-label", field.label or "")

    def clean_also_counts(self):
        raw = self.cleaned_data.get("also_counts") or ""
        known = dict(ITEM_KIND_CHOICES)
        return [k for k in raw.split(",") if k in known][:len(known)]


class BaseItemFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs.update({"class": "form-check-input", "aria-label": _("删除")})

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.items():
            raise forms.ValidationError(_("模板至少要有一项要求。"))

    def items(self) -> list[dict]:
        rows = []
        for form in self.forms:
            # An empty extra row has no cleaned data; a row ticked for deletion is dropped.
            if not form.cleaned_data or self._should_delete_form(form):
                continue
            d = form.cleaned_data
            rows.append({"kind": d["kind"], "label": d["label"], "target": d["target"], "per": d["per"],
                         "also_counts": d["also_counts"]})
        return rows


ItemFormSet = forms.formset_factory(TaskItemForm, formset=BaseItemFormSet, extra=2, can_delete=True, max_num=MAX_ITEMS,
                                    validate_max=True, absolute_max=MAX_ITEMS)


class TemplateEditForm(BootstrapMixin, forms.Form):
    """The template's fields and, in ``self.items``, its items as a formset."""

    name = forms.CharField(label=_("名称"), max_length=60)
    tier = forms.ChoiceField(label=_("适用梯队"), choices=[("", _("（不按梯队）")), *Tier.choices], required=False)
    for_leaders = forms.BooleanField(label=_("适用于学校领导"), required=False)
    period = forms.ChoiceField(label=_("考核周期"), choices=TemplatePeriod.choices)
    reason = forms.CharField(label=_("修订理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items_initial=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = ItemFormSet(data=self.data if self.is_bound else None, initial=items_initial, prefix="items")

    def clean(self):
        data = super().clean()
        if not data.get("tier") and not data.get("for_leaders"):
            self.add_error("tier", _("请选择适用梯队，或勾选“适用于学校领导”。"))
        return data

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        items_ok = self.items.is_valid()
        if not items_ok:
            for message in self.items.non_form_errors():
                self.add_error(None, message)
            for n, item in enumerate(self.items.forms, start=1):
                if self.items.can_delete and self.items._should_delete_form(item):
                    continue
                for field, messages in item.errors.items():
                    label = TaskItemForm.base_fields[field].label if field in TaskItemForm.base_fields else field
                    for message in messages:
                        self.add_error(None, _("第 %(n)s 项 %(field)s：%(message)s") % {"n": n, "field": label, "message": message})
        return form_ok and items_ok

    def cleaned_items(self) -> list[dict]:
        return self.items.items()


class TemplateCreateForm(TemplateEditForm):
    """A template of the school's own: the same fields and items, from a chosen year and term, no revision reason."""

    year = school_year_field()
    term = forms.TypedChoiceField(label=_("起始学期"), choices=TERM_CHOICES, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]


class RetireForm(forms.Form):
    reason = forms.CharField(max_length=200)

