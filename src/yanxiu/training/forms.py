"""Forms of the training pages. They only shape input; rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.org.forms import BootstrapMixin
from yanxiu.org.models import Employment, Group, Person, School

from .models import ContentCategory, LeaveType, Project, SchoolPlan, Session, SwapRequest, TrainingLevel
from .widgets import PinyinPersonChoiceField


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateTimeLocalField(forms.DateTimeField):
    widget = DateTimeLocalInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def school_people(school: School | None):
    if school is None:
        return Person.objects.none()
    ids = Employment.objects.current().filter(school=school).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("name", "pk")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CategoryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ContentCategory
        fields = ["code", "name", "compulsory", "mandated", "description", "sort_order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PlanForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = SchoolPlan
        fields = ["school_year", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 8})}


class ProjectForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Project
        fields = ["title", "level", "kind", "category", "school_year", "plan", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, school: School | None = None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        from . import selectors

        self.fields["category"].queryset = selectors.categories_for(region=region)
        if school is not None:
            self.fields["plan"].queryset = SchoolPlan.objects.filter(school=school)
            del self.fields["level"]
        else:
            del self.fields["plan"]
            self.fields["level"].choices = [c for c in TrainingLevel.choices if c[0] != TrainingLevel.SCHOOL]


class SessionForm(BootstrapMixin, forms.ModelForm):
    starts_at = DateTimeLocalField(label=_("开始时间"), required=False)
    ends_at = DateTimeLocalField(label=_("结束时间"), required=False)
    # In pinyin order and searchable by name or pinyin initials (a school has a hundred teachers or more).
    presenter = PinyinPersonChoiceField(label=_("主讲人（本校教师）"), queryset=Person.objects.none(), required=False)
    lead_speaker = PinyinPersonChoiceField(label=_("中心发言人"), queryset=Person.objects.none(), required=False)

    class Meta:
        model = Session
        fields = [
            "title", "starts_at", "ends_at", "place", "presenter", "presenter_name", "presenter_account", "content",
            "requirements", "group", "theme", "lead_speaker", "invite_scope", "signin_requires_signout",
            "late_tolerance_minutes", "early_leave_tolerance_minutes",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "requirements": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, project: Project, groups=None, **kwargs):
        """``groups``: ids a group leader may choose from (None: every group of the school)."""
        super().__init__(*args, **kwargs)
        school = project.owner_school
        people = school_people(school)
        self.fields["presenter"].queryset = people
        self.fields["lead_speaker"].queryset = people
        self.fields["group"].queryset = _school_groups(school, groups)
        self.fields["presenter_account"].queryset = presenter_accounts_for(project)
        self.fields["presenter_account"].label_from_instance = lambda user: user.display_name or user.username
        if groups is not None:
            self.fields["group"].required = True
        if project.is_bureau_level:
            for name in ("group", "theme", "lead_speaker", "invite_scope", "presenter"):
                del self.fields[name]


def presenter_accounts_for(project: Project):
    """Guest presenters' accounts (主讲人 role) of the project's region or above, or of no region."""
    from django.db.models import Q

    from yanxiu.accounts.models import Role, RoleAssignment, User

    regions = [r.pk for r in project.region.ancestors_and_self()] if project.region_id else []
    users = RoleAssignment.objects.filter(role=Role.PRESENTER).filter(Q(region__isnull=True) | Q(region_id__in=regions))
    return User.objects.filter(pk__in=users.values("user_id"), is_active=True).order_by("display_name", "username")


def _parse_dates(text: str) -> list:
    import datetime as dt
    import re

    dates, bad = [], []
    for token in re.split(r"[\s,，、;；]+", text.strip()):
        if not token:
            continue
        try:
            dates.append(dt.date.fromisoformat(token.replace("/", "-").replace(".", "-")))
        except ValueError:
            bad.append(token)
    if bad:
        raise forms.ValidationError(_("无法识别的日期：%(dates)s（请写成 2026-10-06 这样的格式）。") % {"dates": "、".join(bad)})
    return dates


def _school_groups(school, only=None):
    if school is None:
        return Group.objects.none()
    groups = Group.objects.filter(school=school)
    return groups if only is None else groups.filter(pk__in=only)


class RecurringForm(BootstrapMixin, forms.Form):
    WEEKDAYS = [(0, _("周一")), (1, _("周二")), (2, _("周三")), (3, _("周四")), (4, _("周五")), (5, _("周六")), (6, _("周日"))]

    title = forms.CharField(label=_("活动名称"), max_length=100)
    weekday = forms.TypedChoiceField(label=_("每周"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=_("开始时刻"), widget=TimeInput)
    end_time = forms.TimeField(label=_("结束时刻"), widget=TimeInput)
    first_date = forms.DateField(label=_("起始日期"), widget=DateInput)
    last_date = forms.DateField(label=_("截止日期"), widget=DateInput)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    presenter_name = forms.CharField(label=_("主讲人"), max_length=60, required=False)
    content = forms.CharField(label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    requirements = forms.CharField(label=_("参训要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    group = forms.ModelChoiceField(label=_("教研组"), queryset=Group.objects.none(), required=False)
    theme = forms.CharField(label=_("研讨主题"), max_length=120, required=False)
    skip_dates = forms.CharField(
        label=_("跳过的日期"), required=False, max_length=500,
        help_text=_("节假日、考试周等不安排活动的日期，用逗号或空格分隔，如 2026-10-06, 2026-11-10"),
    )

    def __init__(self, *args, project: Project, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = _school_groups(project.owner_school, groups)
        if groups is not None:
            self.fields["group"].required = True

    def clean_skip_dates(self):
        return _parse_dates(self.cleaned_data.get("skip_dates") or "")


class InviteForm(BootstrapMixin, forms.Form):
    scope = forms.ChoiceField(label=_("邀请范围"), choices=Session.InviteScope.choices)
    group = forms.ModelChoiceField(label=_("教研组"), queryset=Group.objects.none(), required=False)
    people = PeopleChoiceField(label=_("指定教师"), queryset=Person.objects.none(), required=False,
                               widget=forms.SelectMultiple(attrs={"size": 10}))

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        school = session.project.owner_school
        self.fields["group"].queryset = Group.objects.filter(school=school)
        self.fields["people"].queryset = school_people(school)


class CancelForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核结论"), choices=[("approve", _("通过")), ("return", _("退回修改"))],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class QuotaForm(BootstrapMixin, forms.Form):
    school = forms.ModelChoiceField(label=_("学校"), queryset=School.objects.none())
    session = forms.ModelChoiceField(label=_("活动（留空为整个项目）"), queryset=Session.objects.none(), required=False)
    places = forms.IntegerField(label=_("名额"), min_value=1)
    deadline = DateTimeLocalField(label=_("报名截止"))

    def __init__(self, *args, project: Project, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["session"].queryset = project.sessions.exclude(status=Session.Status.CANCELLED)


class NameForm(BootstrapMixin, forms.Form):
    people = PeopleChoiceField(label=_("参训教师"), queryset=Person.objects.none(),
                               widget=forms.SelectMultiple(attrs={"size": 10}))

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = school_people(school)


class SwapForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=SwapRequest.Kind.choices)
    out_person = PersonChoiceField(label=_("原参训人"), queryset=Person.objects.none())
    in_person = PersonChoiceField(label=_("替换人"), queryset=Person.objects.none(), required=False)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, quota, **kwargs):
        super().__init__(*args, **kwargs)
        named = quota.nominations.filter(is_active=True).values("person_id")
        self.fields["out_person"].queryset = Person.objects.filter(pk__in=named)
        self.fields["in_person"].queryset = school_people(quota.school).exclude(pk__in=named)


class LeaveForm(BootstrapMixin, forms.Form):
    leave_type = forms.ChoiceField(label=_("请假类型"), choices=LeaveType.choices)
    reason = forms.CharField(label=_("请假理由"), widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(
        label=_("证明材料"), required=False, help_text=_("请病假须上传医院证明或病历照片（JPG、PNG、WebP 或 PDF，不超过 10 MB）"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


class DecisionForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


SCORES = [(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")]


class EvaluationForm(BootstrapMixin, forms.Form):
    content_score = forms.TypedChoiceField(label=_("培训内容"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    presenter_score = forms.TypedChoiceField(label=_("主讲人"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    organisation_score = forms.TypedChoiceField(label=_("组织安排"), choices=SCORES, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


