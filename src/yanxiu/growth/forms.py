"""Forms of the growth record pages: one record form whose fields follow the
record's kind, the review list's filters, and the review decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yanxiu.org.forms import BootstrapMixin
from yanxiu.training.widgets import PinyinPersonChoiceField

from .choices import AwardRank, Level, RecordKind, ReviewStatus, TopicRole, TopicStatus
from .services.records import MAX_ATTACHMENTS, REQUIRED_FIELDS

TEXT_MAX = 5000

#: The fields each kind's form shows, in order (attachments come last on every form).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    RecordKind.OBSERVATION: ("date", "class_name", "subject", "title", "observed", "observed_name", "content", "critique"),
    RecordKind.PUBLIC_LESSON: ("date", "title", "level", "subject", "class_name", "content"),
    RecordKind.RESEARCH_LESSON: ("date", "title", "level", "subject", "class_name", "content"),
    RecordKind.ARTICLE: ("date", "title", "venue", "level", "rank", "content"),
    RecordKind.RESEARCH_TOPIC: ("date", "title", "level", "role", "topic_status", "content"),
    RecordKind.AWARD: ("date", "title", "venue", "level", "rank", "student_award", "content"),
}
DEFAULT_FIELDS = ("title", "date", "content")

#: Labels that differ by kind: (field, kind) → label.
KIND_LABELS = {
    ("title", RecordKind.OBSERVATION): _("课题（课名）"),
    ("title", RecordKind.PUBLIC_LESSON): _("课题（课名）"),
    ("title", RecordKind.RESEARCH_LESSON): _("课题（课名）"),
    ("title", RecordKind.ARTICLE): _("论文题目"),
    ("title", RecordKind.RESEARCH_TOPIC): _("课题名称"),
    ("title", RecordKind.AWARD): _("获奖项目"),
    ("title", RecordKind.READING_NOTE): _("书名/篇名"),
    ("title", RecordKind.THEORY_BOOK): _("书名"),
    ("title", RecordKind.LECTURE): _("讲座题目"),
    ("title", RecordKind.TEST_PAPER): _("试卷名称"),
    ("date", RecordKind.OBSERVATION): _("听课日期"),
    ("date", RecordKind.ARTICLE): _("发表日期"),
    ("date", RecordKind.RESEARCH_TOPIC): _("立项日期"),
    ("date", RecordKind.AWARD): _("获奖日期"),
    ("venue", RecordKind.ARTICLE): _("发表刊物"),
    ("venue", RecordKind.AWARD): _("赛事名称"),
    ("rank", RecordKind.ARTICLE): _("作者排名"),
    ("rank", RecordKind.AWARD): _("获奖等次"),
    ("content", RecordKind.OBSERVATION): _("听课记录"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``MAX_ATTACHMENTS`` files; their content is checked by the service (``core.uploads.check_evidence``)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("每条记录最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS})
        single = super().clean
        return [single(f, initial) for f in files]


def _choices(choices) -> list:
    return [("", "—"), *choices]


def _all_fields(observable) -> dict[str, forms.Field]:
    return {
        "date": forms.DateField(label=_("日期"), widget=DateInput),
        "title": forms.CharField(label=_("名称"), max_length=200),
        "class_name": forms.CharField(label=_("班级"), max_length=40, required=False),
        "subject": forms.CharField(label=_("学科"), max_length=30, required=False),
        "observed": PinyinPersonChoiceField(label=_("授课教师（本校）"), queryset=observable, required=False),
        "observed_name": forms.CharField(label=_("授课教师（外校，填姓名）"), max_length=40, required=False,
                                         help_text=_("授课教师不在本校名单中时填写姓名。")),
        "level": forms.ChoiceField(label=_("级别"), choices=_choices(Level.choices), required=False),
        "venue": forms.CharField(label=_("发表刊物/主办单位"), max_length=120, required=False),
        "rank": forms.CharField(label=_("等次/排名"), max_length=20, required=False),
        "role": forms.ChoiceField(label=_("课题角色"), choices=_choices(TopicRole.choices), required=False),
        "topic_status": forms.ChoiceField(label=_("课题状态"), choices=_choices(TopicStatus.choices), required=False),
        "student_award": forms.BooleanField(label=_("指导学生获奖"), required=False),
        "content": forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX, required=False),
        "critique": forms.CharField(label=_("评课"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX, required=False),
    }


class RecordForm(BootstrapMixin, forms.Form):
    """The fields of one kind of record; ``observable`` is whose lessons an observation may name."""

    def __init__(self, *args, kind: str, observable=None, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        every = _all_fields(observable if observable is not None else _no_people())
        for name in KIND_FIELDS.get(kind, DEFAULT_FIELDS):
            field = every[name]
            field.label = KIND_LABELS.get((name, kind), field.label)
            self.fields[name] = field
        if kind == RecordKind.AWARD:
            self.fields["rank"] = forms.ChoiceField(label=_("获奖等次"), choices=_choices(AwardRank.choices), required=False)
        for name in REQUIRED_FIELDS.get(kind, ()):
            field = self.fields[name]
            field.required = True
            field.error_messages = {**field.error_messages, "required": _("“%(kind)s”须填写%(field)s。") % {
                "kind": RecordKind(kind).label, "field": field.label}}
        self.fields["attachments"] = MultipleFileField(
            label=_("附件"), required=False,
            help_text=_("最多 %(n)s 个，JPG、PNG、WebP 图片或 PDF 文件。") % {"n": MAX_ATTACHMENTS})
        self.fields["attachments"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.webp,.pdf"
        if attachments:
            self.fields["remove"] = forms.TypedMultipleChoiceField(
                label=_("删除已有附件"), coerce=int, required=False,
                choices=[(a.pk, a.original_name or _("附件")) for a in attachments],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
        _style(self)

    def record_fields(self) -> dict:
        """What the service takes: every field of this kind except the files."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("attachments", "remove")}


def _style(form) -> None:
    """Bootstrap classes on the fields added after :class:`BootstrapMixin` ran."""
    for field in form.fields.values():
        widget = field.widget
        if "class" in widget.attrs:
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


def _no_people():
    from yanxiu.org.models import Person

    return Person.objects.none()


class MyRecordFilter(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部类型")), *RecordKind.choices], required=False)
    status = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *ReviewStatus.choices], required=False)
    year = forms.IntegerField(label=_("学年"), min_value=1950, max_value=2100, required=False,
                              widget=forms.NumberInput(attrs={"placeholder": _("学年，如 2025")}))


class ReviewFilter(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", _("全部类型")), *RecordKind.choices], required=False)
    group = forms.ModelChoiceField(label=_("教研组"), queryset=None, required=False, empty_label=_("全部教研组"))
    date_from = forms.DateField(label=_("日期自"), required=False, widget=DateInput(attrs={"aria-label": _("日期自")}))
    date_to = forms.DateField(label=_("日期至"), required=False, widget=DateInput(attrs={"aria-label": _("日期至")}))

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class FileForForm(BootstrapMixin, forms.Form):
    """The school admin picks a teacher and a kind to file a record for them."""

    person = PinyinPersonChoiceField(label=_("教师"), queryset=None)
    kind = forms.ChoiceField(label=_("类型"), choices=RecordKind.choices)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
