"""The default questionnaires: what a new needs survey or session evaluation starts from.

They reproduce the fixed forms used before questionnaires existed: the needs
survey (the contents of the region's catalogue, the kinds of training, the
preferred times, a suggestion) and the session evaluation (content, presenter
and organisation scored 1 to 5, a comment). A new questionnaire copies them;
the school then edits the copy in the builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yanxiu.training.models import TrainingKind
from yanxiu.training.selectors import categories_for

from .models import PreferredTime, Purpose, QuestionKind

#: The old suggestion box held up to 1000 characters.
SUGGESTION_LENGTH = 1000


@dataclass
class OptionSpec:
    label: str
    category_id: int | None = None
    value: str = ""


@dataclass
class QuestionSpec:
    kind: str
    text: str
    required: bool = True
    help_text: str = ""
    options: list[OptionSpec] = field(default_factory=list)
    min_picks: int | None = None
    max_picks: int | None = None
    scale_points: int | None = None
    low_label: str = ""
    high_label: str = ""
    max_length: int | None = None
    key: str = ""


def needs_questions(region) -> list[QuestionSpec]:
    """The fixed needs survey: the region's catalogue, kinds, times, a suggestion (none of them required alone)."""
    categories = categories_for(region=region).order_by("sort_order", "code")
    return [
        QuestionSpec(QuestionKind.MULTIPLE, _("需要的培训内容"), required=False, key="categories",
                     help_text=_("★ 为必修内容"), options=[OptionSpec(str(c), category_id=c.pk) for c in categories]),
        QuestionSpec(QuestionKind.MULTIPLE, _("希望的培训形式"), required=False, key="kinds",
                     options=[OptionSpec(str(label), value=value) for value, label in TrainingKind.choices]),
        QuestionSpec(QuestionKind.MULTIPLE, _("希望的时间"), required=False, key="times",
                     options=[OptionSpec(str(label), value=value) for value, label in PreferredTime.choices]),
        QuestionSpec(QuestionKind.TEXT, _("其他需求与建议"), required=False, key="suggestion",
                     max_length=SUGGESTION_LENGTH, help_text=_("不超过 1000 字")),
    ]


def evaluation_questions() -> list[QuestionSpec]:
    """The fixed session evaluation: three scores 1 to 5 and a comment."""
    def score(text, key):
        return QuestionSpec(QuestionKind.SCALE, text, key=key, scale_points=5, low_label=_("很不满意"), high_label=_("非常满意"))

    return [
        score(_("培训内容"), "content"),
        score(_("主讲人"), "presenter"),
        score(_("组织安排"), "organisation"),
        QuestionSpec(QuestionKind.TEXT, _("意见建议"), required=False, key="comment", max_length=SUGGESTION_LENGTH),
    ]


def questions_for(purpose: str, region) -> list[QuestionSpec]:
    if purpose == Purpose.NEEDS:
        return needs_questions(region)
    if purpose == Purpose.EVALUATION:
        return evaluation_questions()
    return []
