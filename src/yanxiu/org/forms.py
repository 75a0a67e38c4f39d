from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.core import params, sheets
from yanxiu.core.widgets import bootstrap_choice_group

from .choices import SUBJECTS, Education, EmploymentType, Gender, Position, Stage, Tier, Title
from .models import Cluster, Group, School


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates stay generic."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.RadioSelect):  # and CheckboxSelectMultiple
                bootstrap_choice_group(widget)
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class MonthField(forms.DateField):
    """参加工作年月: a month picker that stores the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y.%m", "%Y/%m"]

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class DateInput(forms.DateInput):
    input_type = "date"


class SchoolForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["code", "name", "county", "cluster", "stage", "address", "is_active"]

    def __init__(self, *args, counties=None, bureau=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "maxlength": 10, "pattern": r"\d{10}"})
        if counties is not None:
            self.fields["county"].queryset = counties
            self.fields["cluster"].queryset = Cluster.objects.filter(county__in=counties)
        if not bureau:
            for name in ("code", "county", "cluster"):
                self.fields[name].disabled = True

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        if not (len(code) == 10 and code.isdigit()):
            raise forms.ValidationError(_("学校标识码应为 10 位数字。"))
        return code


class GroupForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "kind", "subject", "parent", "leader"]

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import current_staff

        self.fields["parent"].queryset = Group.objects.filter(school=school, kind="research")
        self.fields["leader"].queryset = current_staff(school).order_by("name")


class TeacherForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, help_text=_("18 位二代身份证号，末位 X 大小写均可"))
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput, required=False, help_text=_("可不填，将从身份证号读取"))
    phone = forms.CharField(label=_("手机"), max_length=11, required=False)
    stage = forms.ChoiceField(label=_("学段"), choices=Stage.choices)
    subject = forms.ChoiceField(label=_("任教学科"), choices=[(s, s) for s in SUBJECTS])
    position = forms.ChoiceField(label=_("岗位"), choices=Position.choices, initial=Position.TEACHER)
    title = forms.ChoiceField(label=_("职称"), choices=Title.choices)
    education = forms.ChoiceField(label=_("最高学历"), choices=Education.choices, initial=Education.BACHELOR)
    employment_type = forms.ChoiceField(label=_("编制"), choices=EmploymentType.choices)
    teaching_since = MonthField(label=_("参加工作年月"))
    tier = forms.ChoiceField(label=_("梯队"), choices=[("", "—"), *Tier.choices], required=False)
    start_date = forms.DateField(label=_("到校日期"), widget=DateInput, required=False)
    groups = forms.ModelMultipleChoiceField(label=_("所在组"), queryset=Group.objects.none(), required=False)

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.filter(school=school)


class EmploymentForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    # Empty unless correcting: the full number is not shown in the form (personal data).
    id_number = forms.CharField(
        label=_("更正身份证号"), max_length=30, required=False,
        help_text=_("留空则不变；填写后性别和出生日期随之更正，并记入变更记录"),
    )
    phone = forms.CharField(label=_("手机"), max_length=11, required=False)
    stage = forms.ChoiceField(label=_("学段"), choices=Stage.choices)
    subject = forms.ChoiceField(label=_("任教学科"), choices=[(s, s) for s in SUBJECTS])
    position = forms.ChoiceField(label=_("岗位"), choices=Position.choices)
    title = forms.ChoiceField(label=_("职称"), choices=Title.choices)
    education = forms.ChoiceField(label=_("最高学历"), choices=Education.choices)
    employment_type = forms.ChoiceField(label=_("编制"), choices=EmploymentType.choices)
    teaching_since = MonthField(label=_("参加工作年月"))
    # No tier here: tiers are set on the growth pages, which keep their history.
    groups = forms.ModelMultipleChoiceField(label=_("所在组"), queryset=Group.objects.none(), required=False)

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = Group.objects.filter(school=school)


class ProfileForm(BootstrapMixin, forms.Form):
    """What a teacher changes themself: the phone. Name and ID number go through the school admin."""

    phone = forms.CharField(label=_("手机"), max_length=11, required=False)


class TransferForm(BootstrapMixin, forms.Form):
    to_school = forms.ModelChoiceField(label=_("调入学校"), queryset=School.objects.none())
    date = forms.DateField(label=_("调动日期"), widget=DateInput)
    reason = forms.CharField(label=_("调动原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["to_school"].queryset = targets


class StaffFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("姓名或证件/手机后四位")}))
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.none(), required=False, empty_label=_("全部学校"))
    group = forms.ModelChoiceField(label=_("教研组"), queryset=Group.objects.none(), required=False, empty_label=_("全部教研组"))
    stage = forms.ChoiceField(label=_("学段"), choices=[("", _("全部学段")), *Stage.choices], required=False)
    subject = forms.ChoiceField(label=_("学科"), choices=[("", _("全部学科")), *[(s, s) for s in SUBJECTS]], required=False)
    title = forms.ChoiceField(label=_("职称"), choices=[("", _("全部职称")), *Title.choices], required=False)
    tier = forms.ChoiceField(label=_("梯队"), choices=[("", _("全部梯队")), *Tier.choices], required=False)
    employment_type = forms.ChoiceField(label=_("编制"), choices=[("", _("全部")), *EmploymentType.choices], required=False)

    def clean_q(self):
        q = (self.cleaned_data.get("q") or "").strip()
        digits = q.upper().rstrip("X")
        if digits.isdigit() and len(q) > 6:
            # Full numbers would end up in URLs, browser history and proxy logs.
            raise forms.ValidationError(_("为保护个人信息，请只输入身份证号或手机号的后 4–6 位。"))
        return q

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()
        chosen = params.parse_id(self.data.get("school"))
        if chosen:
            self.fields["group"].queryset = Group.objects.filter(school_id=chosen, school__in=self.fields["school"].queryset)
        elif schools is not None and schools.count() == 1:
            self.fields["group"].queryset = Group.objects.filter(school__in=schools)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        result = {}
        if data.get("school"):
            result["school_id"] = data["school"].pk
        if data.get("group"):
            result["group"] = data["group"].pk
        for key in ("stage", "subject", "title", "tier", "employment_type"):
            if data.get(key):
                result[key] = data[key]
        return result


class RosterUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("花名册文件"), help_text=_("支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK）"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        sheets.check_upload(f)
        return f


class ClusterForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("片区名称"), max_length=60)
    base_school = forms.ModelChoiceField(label=_("基地校"), queryset=School.objects.none(), required=False)

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_school"].queryset = School.objects.filter(county=county, is_active=True).order_by("code")


class AppointAdminForm(BootstrapMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("教职工"), queryset=None)

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import current_staff

        self.fields["person"].queryset = current_staff(school).order_by("name")
