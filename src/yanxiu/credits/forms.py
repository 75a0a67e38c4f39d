from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.policy.models import ActivityType, CreditKind

from .models import CertificateClaim


class DateInput(forms.DateInput):
    input_type = "date"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("培训结果文件"), help_text=_("xlsx、xls、ods 或 csv（UTF-8 或 GBK）；表头：身份证号、姓名、培训名称、级别、类别、内容类别、学时、开始日期、结束日期、结果"))
    school_year = forms.IntegerField(label=_("学年"), min_value=2000, max_value=2100, help_text=_("学年开始的年份，如 2025 表示 2025-2026 学年"))
    dry_run = forms.BooleanField(label=_("只检查，不登记"), required=False, initial=True)


class PostingForm(forms.Form):
    title = forms.CharField(label=_("公示标题"), max_length=120)
    period_start = forms.DateField(label=_("登记日期自"), widget=DateInput)
    period_end = forms.DateField(label=_("登记日期至"), widget=DateInput)
    days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=5)


class ObjectionForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    session = forms.IntegerField(label=_("漏登的培训活动"), required=False, min_value=1)
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(label=_("处理方式"), choices=[("reject", _("不予采纳")), ("reverse", _("冲正该记录")), ("add", _("补录学时"))])
    resolution = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)
    title = forms.CharField(label=_("补录：培训名称"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("补录：类别"), choices=[("", "—")] + list(CreditKind.choices), required=False)
    hours = forms.DecimalField(label=_("补录：学时"), required=False, min_value=0.5, max_digits=5, decimal_places=1)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=300)


class ClaimForm(forms.ModelForm):
    class Meta:
        model = CertificateClaim
        fields = ["title", "organiser", "level", "kind", "category", "hours", "start_date", "end_date", "certificate_no", "file"]
        widgets = {"start_date": DateInput, "end_date": DateInput,
                   "level": forms.Select(choices=[("national", _("国培")), ("provincial", _("省培")), ("city", _("市培")), ("county", _("县培"))])}


class ClaimReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), choices=[("verify", _("认定")), ("reject", _("退回"))])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=300)


class ActivityForm(forms.Form):
    person = forms.ModelChoiceField(label=_("教师"), queryset=None)
    activity_type = forms.ChoiceField(label=_("活动类型"), choices=ActivityType.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=DateInput)
    proof = forms.CharField(label=_("证明材料说明"), widget=forms.Textarea(attrs={"rows": 2}))
    proof_file = forms.FileField(label=_("证明文件"), required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
