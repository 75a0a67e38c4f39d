"""Every change to questionnaires: create (from the default), edit while a draft, publish, answer, close, remind.

Each function checks who may do it, validates with Chinese messages naming the
field or question, and writes one audit row. An anonymous answer's audit row
names the questionnaire, never the answer sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.models import Group
from yanxiu.org.selectors import current_employment
from yanxiu.training import access as training_access
from yanxiu.training.models import Session, school_year_of

from .. import defaults
from .. import questionnaires as logic
from ..models import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    SCALE_MAX_POINTS,
    SCALE_MIN_POINTS,
    TEXT_MAX_LENGTH,
    Answer,
    Audience,
    Option,
    Purpose,
    Question,
    QuestionKind,
    Questionnaire,
    Respondent,
    Response,
)

#: How long a new questionnaire stays open by default.
DEFAULT_DAYS = 14
#: A short-text answer's default bound.
DEFAULT_TEXT_LENGTH = 500
#: The longest a questionnaire may stay open.
MAX_OPEN_DAYS = 366


def _audit_place(q: Questionnaire) -> dict:
    return {"school": q.school} if q.school_id else {"county": q.county}


def _require_manager(actor, q: Questionnaire) -> None:
    scopes.require(logic.can_manage(actor, q), _("您没有权限管理该问卷。"))


def _require_draft(q: Questionnaire) -> None:
    if not q.is_draft:
        raise ValidationError(_("问卷已发布，题目不能再修改。"))


def _locked(q: Questionnaire) -> Questionnaire:
    return (Questionnaire.objects.select_for_update(of=("self",)).select_related("school", "county", "session__project")
            .get(pk=q.pk))


# --- Creating --------------------------------------------------------------------------


def _copy_questions(q: Questionnaire, specs: Iterable[defaults.QuestionSpec]) -> int:
    n = 0
    for position, spec in enumerate(specs, start=1):
        question = Question.objects.create(
            questionnaire=q, position=position, kind=spec.kind, text=spec.text, help_text=spec.help_text,
            required=spec.required, min_picks=spec.min_picks, max_picks=spec.max_picks, scale_points=spec.scale_points,
            low_label=spec.low_label, high_label=spec.high_label, max_length=spec.max_length, key=spec.key,
        )
        Option.objects.bulk_create([Option(question=question, position=i, label=o.label[:120], category_id=o.category_id,
                                           value=o.value) for i, o in enumerate(spec.options, start=1)])
        n += 1
    return n


@transaction.atomic
def questionnaire_create(*, actor, purpose: str, title: str = "", school=None, county=None, session: Session | None = None,
                         opens_on: dt.date | None = None, closes_on: dt.date | None = None) -> Questionnaire:
    """A draft questionnaire, its questions copied from the purpose's default (none for "other").

    For a session evaluation the owner is the session's (its school, or the county of a bureau project), the
    audience those who attended, and the questionnaire opens on the session's day."""
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("问卷用途无效。")})
    today = timezone.localdate()
    audience = Audience.ALL
    if session is not None:
        session = Session.objects.select_related("project__owner_school", "project__region").get(pk=session.pk)
        scopes.require(training_access.can_manage_session(actor, session), _("您没有权限为该活动设计评价问卷。"))
        purpose, audience = Purpose.EVALUATION, Audience.ATTENDED
        school, county = session.project.owner_school, (None if session.project.owner_school_id else session.project.region)
        start = timezone.localtime(session.starts_at).date()
        opens_on = opens_on or start
        closes_on = closes_on or max(start, today) + dt.timedelta(days=7)
        title = title or _("“%(title)s”评价") % {"title": session.title}
    elif purpose == Purpose.EVALUATION:
        raise ValidationError({"purpose": _("活动评价问卷请从培训活动页面发起。")})
    elif school is not None:
        scopes.require(logic.can_create_for_school(actor, school), _("您没有权限为该校发起问卷。"))
        county = None
    elif county is not None:
        scopes.require(logic.can_create_for_county(actor, county), _("您没有权限为该区县发起问卷。"))
    else:
        raise ValidationError(_("请选择发起问卷的学校或区县。"))
    opens_on = opens_on or today
    closes_on = closes_on or opens_on + dt.timedelta(days=DEFAULT_DAYS)
    year = school_year_of(opens_on)
    if not title:
        title = {Purpose.NEEDS: _("%(year)s 学年教师培训需求调研") % {"year": year}}.get(purpose, _("调查问卷"))
    region = school.county if school is not None else county
    q = Questionnaire(school=school, county=county, session=session, purpose=purpose, title=title.strip()[:120],
                      audience=audience, school_year=year, opens_on=opens_on, closes_on=closes_on, created_by=actor)
    q.full_clean()
    q.save()
    copied = _copy_questions(q, defaults.questions_for(purpose, region))
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_CREATE, target=q, **_audit_place(q), purpose=purpose, questions=copied,
                 session=session.pk if session else None)
    return q


@transaction.atomic
def questionnaire_update(*, actor, questionnaire: Questionnaire, title: str, intro: str = "", anonymous: bool = False,
                         audience: str = Audience.ALL, groups: Iterable[Group] = (), opens_on: dt.date, closes_on: dt.date
                         ) -> Questionnaire:
    """The settings of a draft: title, intro, anonymity, audience, dates."""
    q = _locked(questionnaire)
    _require_manager(actor, q)
    _require_draft(q)
    groups = list(groups)
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写问卷标题。")
    if q.session_id is not None:
        audience = Audience.ATTENDED
    elif audience == Audience.ATTENDED:
        errors["audience"] = _("只有培训活动的评价问卷面向参加活动的教师。")
    elif audience not in Audience.values:
        errors["audience"] = _("填写对象无效。")
    if audience == Audience.GROUPS:
        if not groups:
            errors["groups"] = _("请至少选择一个教研组。")
        elif q.school_id is None or any(g.school_id != q.school_id for g in groups):
            errors["groups"] = _("只能选择本校的教研组。")
    if opens_on is None or closes_on is None:
        errors["closes_on"] = _("请填写开始和截止日期。")
    elif closes_on < opens_on:
        errors["closes_on"] = _("截止日期不能早于开始日期。")
    elif (closes_on - opens_on).days > MAX_OPEN_DAYS:
        errors["closes_on"] = _("问卷开放时间不能超过 %(n)s 天。") % {"n": MAX_OPEN_DAYS}
    if errors:
        raise ValidationError(errors)
    q.title, q.intro, q.anonymous, q.audience = title, (intro or "").strip(), bool(anonymous), audience
    q.opens_on, q.closes_on, q.school_year = opens_on, closes_on, school_year_of(opens_on)
    q.full_clean()
    q.save()
    q.groups.set(groups if audience == Audience.GROUPS else [])
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_UPDATE, target=q, **_audit_place(q), anonymous=q.anonymous,
                 audience=audience)
    return q


# --- Questions --------------------------------------------------------------------------


def _int_or_none(value, field: str, errors: dict, label: str):
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("%(label)s须为整数。") % {"label": label}
        return None
    if not 0 <= number <= 10_000:
        errors[field] = _("%(label)s超出范围。") % {"label": label}
        return None
    return number


def clean_question(*, kind, text, help_text="", required=True, options: Iterable[str] = (), min_picks=None, max_picks=None,
                   scale_points=None, low_label="", high_label="", max_length=None) -> dict:
    """A question's fields checked and normalised, or a ValidationError keyed by field."""
    errors: dict = {}
    text = (text or "").strip()
    if kind not in QuestionKind.values:
        errors["kind"] = _("题型无效。")
    if not text:
        errors["text"] = _("请填写题目。")
    elif len(text) > 300:
        errors["text"] = _("题目不能超过 300 字。")
    labels = [o.strip() for o in options if o and o.strip()]
    min_picks = _int_or_none(min_picks, "min_picks", errors, _("至少选"))
    max_picks = _int_or_none(max_picks, "max_picks", errors, _("至多选"))
    scale_points = _int_or_none(scale_points, "scale_points", errors, _("分值"))
    max_length = _int_or_none(max_length, "max_length", errors, _("字数上限"))
    data = {"kind": kind, "text": text, "help_text": (help_text or "").strip()[:300], "required": bool(required),
            "options": [], "min_picks": None, "max_picks": None, "scale_points": None, "low_label": "", "high_label": "",
            "max_length": None}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(labels) < 2:
            errors["options"] = _("选择题至少需要两个选项（每行一个）。")
        elif len(labels) > MAX_OPTIONS:
            errors["options"] = _("选项不能超过 %(n)s 个。") % {"n": MAX_OPTIONS}
        elif any(len(label) > 120 for label in labels):
            errors["options"] = _("每个选项不能超过 120 字。")
        elif len(set(labels)) != len(labels):
            errors["options"] = _("选项不能重复。")
        data["options"] = labels
        if kind == QuestionKind.MULTIPLE:
            n = len(labels)
            if min_picks is not None and n and min_picks > n:
                errors["min_picks"] = _("至少选的项数不能多于选项数。")
            if max_picks is not None and (max_picks < 1 or (n and max_picks > n)):
                errors["max_picks"] = _("至多选的项数须在 1 到选项数之间。")
            if min_picks is not None and max_picks is not None and min_picks > max_picks:
                errors["max_picks"] = _("至多选的项数不能少于至少选的项数。")
            data["min_picks"], data["max_picks"] = min_picks or None, max_picks
    elif kind == QuestionKind.SCALE:
        if "scale_points" not in errors and (scale_points is None or not SCALE_MIN_POINTS <= scale_points <= SCALE_MAX_POINTS):
            errors["scale_points"] = _("量表分值须在 %(low)s 到 %(high)s 之间。") % {"low": SCALE_MIN_POINTS, "high": SCALE_MAX_POINTS}
        data["scale_points"] = scale_points
        data["low_label"], data["high_label"] = (low_label or "").strip()[:30], (high_label or "").strip()[:30]
    elif kind == QuestionKind.TEXT:
        if max_length is None:
            max_length = DEFAULT_TEXT_LENGTH
        if "max_length" not in errors and not 1 <= max_length <= TEXT_MAX_LENGTH:
            errors["max_length"] = _("字数上限须在 1 到 %(n)s 之间。") % {"n": TEXT_MAX_LENGTH}
        data["max_length"] = max_length
    if errors:
        raise ValidationError(errors)
    return data


def _set_options(question: Question, labels: list[str]) -> None:
    """The options in the given order; an option whose label is kept keeps its catalogue link and its answers."""
    existing = {o.label: o for o in question.options.all()}
    keep = []
    for position, label in enumerate(labels, start=1):
        option = existing.get(label)
        if option is None:
            option = Option.objects.create(question=question, position=position, label=label)
        elif option.position != position:
            option.position = position
            option.save(update_fields=["position"])
        keep.append(option.pk)
    question.options.exclude(pk__in=keep).delete()


@transaction.atomic
def question_save(*, actor, questionnaire: Questionnaire, question: Question | None = None, **fields) -> Question:
    """Add a question at the end, or change one, while the questionnaire is a draft."""
    q = _locked(questionnaire)
    _require_manager(actor, q)
    _require_draft(q)
    data = clean_question(**fields)
    labels = data.pop("options")
    if question is None:
        if q.questions.count() >= MAX_QUESTIONS:
            raise ValidationError(_("一份问卷最多 %(n)s 题。") % {"n": MAX_QUESTIONS})
        position = (q.questions.aggregate(m=Max("position"))["m"] or 0) + 1
        question = Question(questionnaire=q, position=position)
        op = "add"
    else:
        question = Question.objects.get(pk=question.pk, questionnaire=q)
        op = "edit"
    for name, value in data.items():
        setattr(question, name, value)
    question.full_clean()
    question.save()
    if question.has_options:
        _set_options(question, labels)
    else:
        question.options.all().delete()
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_QUESTION, target=q, **_audit_place(q), op=op, question=question.pk)
    return question


def _renumber(q: Questionnaire) -> None:
    for position, question in enumerate(q.questions.order_by("position", "pk"), start=1):
        if question.position != position:
            Question.objects.filter(pk=question.pk).update(position=position)


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    q = _locked(question.questionnaire)
    _require_manager(actor, q)
    _require_draft(q)
    pk = question.pk
    Question.objects.filter(pk=pk, questionnaire=q).delete()
    _renumber(q)
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_QUESTION, target=q, **_audit_place(q), op="delete", question=pk)


@transaction.atomic
def question_move(*, actor, question: Question, direction: str) -> None:
    """Swap a question with the one above ("up") or below ("down")."""
    q = _locked(question.questionnaire)
    _require_manager(actor, q)
    _require_draft(q)
    if direction not in ("up", "down"):
        raise ValidationError(_("移动方向无效。"))
    _renumber(q)
    ordered = list(q.questions.order_by("position", "pk"))
    index = next((i for i, x in enumerate(ordered) if x.pk == question.pk), None)
    other = None if index is None else index + (-1 if direction == "up" else 1)
    if other is None or not 0 <= other < len(ordered):
        raise ValidationError(_("已经是第一题。") if direction == "up" else _("已经是最后一题。"))
    a, b = ordered[index], ordered[other]
    Question.objects.filter(pk=a.pk).update(position=b.position)
    Question.objects.filter(pk=b.pk).update(position=a.position)
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_QUESTION, target=q, **_audit_place(q), op="move_" + direction,
                 question=question.pk)


# --- Publishing and closing -----------------------------------------------------------


def publish_problems(q: Questionnaire) -> list[str]:
    """What keeps a draft from being published (the builder lists them too)."""
    problems = []
    questions = logic.questions_of(q)
    if not questions:
        problems.append(_("问卷还没有题目。"))
    for i, question in enumerate(questions, start=1):
        if question.has_options and len(question.option_list) < 2:
            problems.append(_("第 %(n)s 题“%(text)s”至少需要两个选项。") % {"n": i, "text": question.text})
    if q.closes_on < timezone.localdate():
        problems.append(_("截止日期已过，请先修改问卷设置。"))
    if q.audience == Audience.GROUPS and not q.groups.exists():
        problems.append(_("请在问卷设置中选择填写的教研组。"))
    return problems


@transaction.atomic
def questionnaire_publish(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    q = _locked(questionnaire)
    _require_manager(actor, q)
    _require_draft(q)
    problems = publish_problems(q)
    if problems:
        raise ValidationError(problems)
    q.status, q.published_at = Questionnaire.Status.PUBLISHED, timezone.now()
    q.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_PUBLISH, target=q, **_audit_place(q), asked=len(logic.asked_ids(q)))
    return q


@transaction.atomic
def questionnaire_close(*, actor, questionnaire: Questionnaire) -> Questionnaire:
    q = _locked(questionnaire)
    _require_manager(actor, q)
    if q.status != Questionnaire.Status.PUBLISHED:
        raise ValidationError(_("只有进行中的问卷可以结束。"))
    q.status, q.closed_at = Questionnaire.Status.CLOSED, timezone.now()
    q.save(update_fields=["status", "closed_at"])
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_CLOSE, target=q, **_audit_place(q), answered=logic.answered_count(q))
    return q


@transaction.atomic
def questionnaire_remind(*, actor, questionnaire: Questionnaire) -> list[int]:
    """Record a reminder to everyone asked who has not answered (the audit row lists them); returns their ids.

    Sending it to their inboxes is done by the messages of the site, which read this audit event."""
    q = Questionnaire.objects.select_related("school", "county", "session__project").get(pk=questionnaire.pk)
    _require_manager(actor, q)
    if not q.is_open():
        raise ValidationError(_("问卷不在填写期内，无需提醒。"))
    people = list(logic.not_answered(q).values_list("pk", flat=True))
    if not people:
        raise ValidationError(_("填写对象都已填写。"))
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_REMIND, target=q, **_audit_place(q), people=people, count=len(people))
    return people


# --- Answering ----------------------------------------------------------------------------


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def clean_answers(questions: list[Question], raw: Mapping) -> tuple[list[Answer], dict]:
    """Answer rows (unsaved, without response) from ``{question id: value or list}``, and the errors keyed ``q<id>``."""
    rows, errors = [], {}
    for n, question in enumerate(questions, start=1):
        key = f"q{question.pk}"
        values = [v for v in _as_list(raw.get(question.pk, raw.get(key))) if v not in (None, "")]
        label = _("第 %(n)s 题") % {"n": n}
        if question.has_options:
            options = {str(o.pk): o for o in question.option_list}
            picked = list(dict.fromkeys(str(v) for v in values))
            if any(p not in options for p in picked):
                errors[key] = _("%(q)s：所选选项不在本题中。") % {"q": label}
                continue
            if question.kind == QuestionKind.SINGLE and len(picked) > 1:
                errors[key] = _("%(q)s：只能选一项。") % {"q": label}
                continue
            if not picked:
                if question.required:
                    errors[key] = _("%(q)s为必答题，请选择。") % {"q": label}
                continue
            if question.kind == QuestionKind.MULTIPLE:
                if question.min_picks and len(picked) < question.min_picks:
                    errors[key] = _("%(q)s：至少选 %(n)s 项（现选 %(k)s 项）。") % {"q": label, "n": question.min_picks, "k": len(picked)}
                    continue
                if question.max_picks and len(picked) > question.max_picks:
                    errors[key] = _("%(q)s：至多选 %(n)s 项（现选 %(k)s 项）。") % {"q": label, "n": question.max_picks, "k": len(picked)}
                    continue
            rows += [Answer(question=question, option=options[p]) for p in picked]
        elif question.kind == QuestionKind.SCALE:
            if not values:
                if question.required:
                    errors[key] = _("%(q)s为必答题，请打分。") % {"q": label}
                continue
            try:
                score = int(str(values[0]))
            except ValueError:
                score = 0
            if len(values) > 1 or not 1 <= score <= (question.scale_points or 0):
                errors[key] = _("%(q)s：分数须在 1 到 %(n)s 之间。") % {"q": label, "n": question.scale_points}
                continue
            rows.append(Answer(question=question, number=score))
        else:
            text = "\n".join(str(v) for v in values).strip().replace("\x00", "")
            if not text:
                if question.required:
                    errors[key] = _("%(q)s为必答题，请填写。") % {"q": label}
                continue
            limit = question.max_length or DEFAULT_TEXT_LENGTH
            if len(text) > limit:
                errors[key] = _("%(q)s：不能超过 %(n)s 字（现为 %(k)s 字）。") % {"q": label, "n": limit, "k": len(text)}
                continue
            rows.append(Answer(question=question, text=text))
    return rows, errors


@transaction.atomic
def questionnaire_respond(*, actor, questionnaire: Questionnaire, answers: Mapping) -> Response:
    """A teacher of the audience answers, or changes their answer while the questionnaire is open.

    ``answers`` maps a question's id (or ``"q<id>"``) to the picked option ids, a score or a text."""
    person_id = scopes.scope_of(actor).person_id
    scopes.require(person_id is not None, _("您的账号未关联教师档案。"))
    q = Questionnaire.objects.select_related("school", "county").get(pk=questionnaire.pk)
    scopes.require(q.status != Questionnaire.Status.DRAFT and logic.in_audience(person_id, q), _("您不在该问卷的填写对象中。"))
    if not q.is_open():
        if timezone.localdate() < q.opens_on:
            raise ValidationError(_("问卷将于 %(date)s 开始填写。") % {"date": q.opens_on.isoformat()})
        raise ValidationError(_("问卷已于 %(date)s 截止。") % {"date": q.closes_on.isoformat()})
    rows, errors = clean_answers(logic.questions_of(q), answers)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("请至少回答一题。"))
    employment = current_employment(person_id)
    school_id = employment.school_id if employment else None
    # One submit of a person at a time (two taps at once, two tabs): the Respondent row is made (get_or_create
    # survives a concurrent insert) and locked; the second submit waits here and then finds the first's sheet.
    respondent, _new = Respondent.objects.get_or_create(questionnaire=q, person_id=person_id, defaults={"school_id": school_id})
    respondent = Respondent.objects.select_for_update().get(pk=respondent.pk)
    key = logic.owner_key(q.pk, person_id)
    response = Response.objects.filter(questionnaire=q, owner_key=key).first()
    created = response is None
    if created:
        response = Response.objects.create(questionnaire=q, owner_key=key, person_id=None if q.anonymous else person_id)
    else:
        response.answers.all().delete()
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    respondent.school_id = school_id
    respondent.save(update_fields=["school_id", "updated_at"])
    # The audit row names the questionnaire only; for an anonymous one it carries nothing about the sheet
    # (not even how many questions were answered), so no sheet can be tied to its person.
    detail = {} if q.anonymous else {"answers": len(rows)}
    audit.record(actor=actor, event=Event.QUESTIONNAIRE_RESPOND if created else Event.QUESTIONNAIRE_RESPOND_UPDATE, target=q,
                 **_audit_place(q), **detail)
    return response
