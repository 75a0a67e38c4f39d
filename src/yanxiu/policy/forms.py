from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .models import ActivityType, CreditKind, Unit

ACTIVITY_BY_LABEL = {str(label): value for value, label in ActivityType.choices}
KIND_BY_LABEL = {str(label): value for value, label in CreditKind.choices}


class PolicyForm(forms.Form):
    name = forms.CharField(label=_l("名称"), max_length=120)
    source = forms.CharField(label=_l("依据文件"), max_length=200, required=False)
    valid_from_year = forms.IntegerField(label=_l("起始学年"), min_value=2000, max_value=2100, help_text=_l("学年开始的年份"))
    year_start_month = forms.IntegerField(label=_l("学年起始月"), min_value=1, max_value=12, initial=9)
    year_start_day = forms.IntegerField(label=_l("学年起始日"), min_value=1, max_value=28, initial=1)
    unit = forms.ChoiceField(label=_l("计量单位"), choices=Unit.choices)
    total_min = forms.DecimalField(label=_l("每学年总量下限"), min_value=0, max_digits=6, decimal_places=1)
    centralised_min = forms.DecimalField(label=_l("集中培训下限"), min_value=0, max_digits=6, decimal_places=1, initial=0)
    online_min = forms.DecimalField(label=_l("网络培训下限"), min_value=0, max_digits=6, decimal_places=1, initial=0)
    school_based_min = forms.DecimalField(label=_l("校本研修下限"), min_value=0, max_digits=6, decimal_places=1, initial=0)
    centralised_rate = forms.DecimalField(label=_l("集中培训每学时折算学分"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2, initial=1)
    online_rate = forms.DecimalField(label=_l("网络培训每学时折算学分"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2, initial=1)
    school_based_rate = forms.DecimalField(label=_l("校本研修每学时折算学分"), min_value=Decimal("0.01"), max_digits=5, decimal_places=2, initial=1)
    categories = forms.CharField(label=_l("内容类别要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_l("每行一项：内容类别 下限 [★]，如“师德 4 ★”"))
    activity_caps = forms.CharField(label=_l("活动计学时上限"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_l("每行一项：活动类型 每项学时 每学年上限，如“公开课 2 4”。活动类型：公开课、获奖、师徒结对、专题讲座、论文发表、课题研究"))
    excluded = forms.CharField(label=_l("不计入学时的活动"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_l("每行一项，如“政治学习”"))
    cycle_years = forms.IntegerField(label=_l("周期年数"), required=False, min_value=1, max_value=10)
    cycle_min = forms.DecimalField(label=_l("周期总量下限"), required=False, min_value=0, max_digits=7, decimal_places=1)
    cycle_start_year = forms.IntegerField(label=_l("周期起始学年"), required=False, min_value=2000, max_value=2100)
    minutes_per_hour = forms.IntegerField(label=_l("每学时分钟数"), min_value=1, max_value=120, initial=45)
    max_hours_per_day = forms.DecimalField(label=_l("每日学时上限"), min_value=Decimal("0.5"), max_value=24, max_digits=4, decimal_places=1, initial=8)
    min_reflection_chars = forms.IntegerField(label=_l("反思最少字数"), min_value=0, initial=0,
                                              help_text=_l("活动未单独设置字数要求时，提交反思和登记学时都按此字数（不计空格）；填 0 表示按系统默认"))
    long_cycle_exempts_school_based = forms.BooleanField(label=_l("参加长周期培训者免校本部分"), required=False)
    age_opt_out_age = forms.IntegerField(label=_l("免修年龄"), required=False, min_value=40, max_value=70, help_text=_l("留空表示本区域不允许按年龄免修"))
    below_min_blocks_excellent = forms.BooleanField(label=_l("未达标者年度考核不能评优秀"), required=False)
    unexcused_absence_fails = forms.BooleanField(label=_l("无正当理由缺训者年度考核不合格"), required=False)
    note = forms.CharField(label=_l("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    change_reason = forms.CharField(label=_l("修订说明"), max_length=200, required=False)
    preview_year = forms.IntegerField(label=_l("预览学年"), min_value=2000, max_value=2100, help_text=_l("用哪一学年的学时记录预览达标变化"))

    def clean_categories(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["categories"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            star = parts[-1] == "★"
            if star:
                parts = parts[:-1]
            if len(parts) != 2:
                raise forms.ValidationError(_("第 %(n)d 行应为“内容类别 下限 [★]”。") % {"n": n})
            try:
                minimum = Decimal(parts[1])
            except InvalidOperation:
                raise forms.ValidationError(_("第 %(n)d 行的下限“%(v)s”不是数字。") % {"n": n, "v": parts[1]}) from None
            rows.append((parts[0], minimum, star))
        return rows

    def clean_activity_caps(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["activity_caps"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) not in (3, 4) or parts[0] not in ACTIVITY_BY_LABEL:
                raise forms.ValidationError(_("第 %(n)d 行应为“活动类型 每项学时 每学年上限”，活动类型须是：%(types)s。") % {"n": n, "types": "、".join(ACTIVITY_BY_LABEL)})
            try:
                per_item, per_year = Decimal(parts[1]), Decimal(parts[2])
            except InvalidOperation:
                raise forms.ValidationError(_("第 %(n)d 行的学时不是数字。") % {"n": n}) from None
            kind = KIND_BY_LABEL.get(parts[3], None) if len(parts) == 4 else CreditKind.SCHOOL_BASED
            if kind is None:
                raise forms.ValidationError(_("第 %(n)d 行的计入类别“%(v)s”无法识别。") % {"n": n, "v": parts[3]})
            rows.append((ACTIVITY_BY_LABEL[parts[0]], per_item, per_year, kind))
        return rows

    def clean_excluded(self):
        return [line.strip() for line in self.cleaned_data["excluded"].splitlines() if line.strip()]

    def policy_data(self) -> dict:
        d = self.cleaned_data
        keys = ("name", "source", "year_start_month", "year_start_day", "unit", "total_min", "cycle_years", "cycle_min",
                "cycle_start_year", "minutes_per_hour", "max_hours_per_day", "min_reflection_chars", "long_cycle_exempts_school_based",
                "age_opt_out_age", "below_min_blocks_excellent", "unexcused_absence_fails", "note")
        data = {k: d[k] for k in keys}
        data["valid_from_year"] = d["valid_from_year"]
        data["excluded_activities"] = d["excluded"]
        data["kind_rules"] = [(k, d[f"{k}_min"], d[f"{k}_rate"]) for k in CreditKind.values]
        data["category_rules"] = d["categories"]
        data["activity_caps"] = d["activity_caps"]
        return data

    @staticmethod
    def initial_from(policy) -> dict:
        initial = {k: getattr(policy, k) for k in (
            "name", "source", "valid_from_year", "year_start_month", "year_start_day", "unit", "total_min", "cycle_years", "cycle_min",
            "cycle_start_year", "minutes_per_hour", "max_hours_per_day", "min_reflection_chars", "long_cycle_exempts_school_based",
            "age_opt_out_age", "below_min_blocks_excellent", "unexcused_absence_fails", "note")}
        for k in CreditKind.values:
            initial[f"{k}_min"], initial[f"{k}_rate"] = Decimal("0"), Decimal("1")
        for rule in policy.kind_rules.all():
            initial[f"{rule.kind}_min"], initial[f"{rule.kind}_rate"] = rule.min_amount, rule.credits_per_hour
        initial["categories"] = "\n".join(f"{c.category} {c.min_amount}{' ★' if c.compulsory else ''}" for c in policy.category_rules.all())
        initial["activity_caps"] = "\n".join(
            f"{ActivityType(a.activity_type).label} {a.amount_per_item} {a.max_per_year} {CreditKind(a.kind).label}" for a in policy.activity_caps.all()
        )
        initial["excluded"] = "\n".join(policy.excluded_activities or [])
        return initial


class AdoptForm(forms.Form):
    preset = forms.ModelChoiceField(label=_l("预设"), queryset=None)
    region = forms.ModelChoiceField(label=_l("适用区域"), queryset=None)
    valid_from_year = forms.IntegerField(label=_l("起始学年"), min_value=2000, max_value=2100)

    def __init__(self, *args, presets=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].queryset = presets
        self.fields["region"].queryset = regions
