"""Cards other apps' pages show: a teacher's open surveys, and the needs behind a school plan."""

from django import template

from yanxiu.org import scopes

from .. import selectors

register = template.Library()


@register.inclusion_tag("needs/_my_surveys.html", takes_context=True)
def my_open_surveys(context):
    user = context["request"].user
    return {"surveys": selectors.open_surveys_for(scopes.scope_of(user).person_id)}


@register.inclusion_tag("needs/_plan_needs.html", takes_context=True)
def plan_needs(context, plan):
    user = context["request"].user
    survey = selectors.latest_for_plan(plan)
    s = scopes.scope_of(user)
    # Links only to what the user may open: the survey page is for the school's admin and region staff,
    # a new survey is started by the school's own admin.
    can_open = survey is not None and selectors.surveys_visible_to(user).filter(pk=survey.pk).exists()
    can_create = s.superuser or plan.school_id in s.admin_schools
    result = selectors.results(survey, with_missing=False) if survey else None
    return {"survey": survey, "top": result.categories[:5] if result else [], "result": result, "can_open": can_open,
            "can_create": can_create, "plan": plan}
