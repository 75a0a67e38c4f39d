"""Cards other apps' pages show: a teacher's open surveys, the needs behind a school plan, a session's evaluation."""

from django import template

from yanxiu.org import scopes
from yanxiu.training import access as training_access

from .. import questionnaires, selectors

register = template.Library()


@register.inclusion_tag("needs/_my_surveys.html", takes_context=True)
def my_open_surveys(context):
    """The questionnaires (and fixed surveys of earlier years still open) the teacher may answer now."""
    person_id = scopes.scope_of(context["request"].user).person_id
    return {"surveys": selectors.open_surveys_for(person_id), "questionnaires": questionnaires.open_questionnaires_for(person_id)}


@register.inclusion_tag("needs/_plan_needs.html", takes_context=True)
def plan_needs(context, plan):
    user = context["request"].user
    needs = selectors.school_needs(plan.school_id, plan.school_year)
    s = scopes.scope_of(user)
    # Links only to what the user may open: results are for the school's admin and region staff,
    # a new survey is started by the school's own admin.
    can_open = False
    if needs is not None and needs.is_questionnaire:
        can_open = questionnaires.can_read_results(user, needs.survey)
    elif needs is not None:
        can_open = selectors.surveys_visible_to(user).filter(pk=needs.survey.pk).exists()
    can_create = s.superuser or plan.school_id in s.admin_schools
    return {"needs": needs, "can_open": can_open, "can_create": can_create, "plan": plan}


@register.inclusion_tag("needs/_session_evaluation.html", takes_context=True)
def session_evaluation(context, session, enrollment=None):
    """The session page's evaluation questionnaire: answer it (those who attended), build or read it (its managers).

    ``has_questionnaire`` tells the page to hide the fixed evaluation form's link."""
    user = context["request"].user
    q = questionnaires.session_questionnaire(session)
    can_manage = training_access.can_manage_session(user, session)
    person_id = scopes.scope_of(user).person_id
    can_answer = (q is not None and not q.is_draft and q.is_open()
                  and questionnaires.questionnaires_for_person(person_id).filter(pk=q.pk).exists())
    answered = can_answer and questionnaires.own_response(q, person_id) is not None
    can_read = q is not None and questionnaires.can_read_results(user, q)
    return {"q": q, "session": session, "can_manage": can_manage, "can_answer": can_answer, "answered": answered,
            "can_read": can_read, "started": session.has_started()}


@register.simple_tag
def session_has_questionnaire(session) -> bool:
    """Whether the session's evaluation is a published questionnaire (then the fixed form is not offered)."""
    q = questionnaires.session_questionnaire(session)
    return q is not None and not q.is_draft
