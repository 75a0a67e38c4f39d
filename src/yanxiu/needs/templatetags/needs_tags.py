"""Cards other apps' pages show: a teacher's open surveys, and the needs behind a school plan."""

from django import template

from yanxiu.accounts import scopes

from .. import selectors

register = template.Library()


@register.inclusion_tag("needs/_my_surveys.html", takes_context=True)
def my_open_surveys(context):
    user = context["request"].user
    return {"surveys": selectors.open_surveys_for(scopes.scope_of(user).person_id)}


@register.inclusion_tag("needs/_plan_needs.html", takes_context=True)
def plan_needs(context, plan):
    survey = selectors.latest_for_plan(plan)
    can_manage = scopes.can_manage_school(context["request"].user, plan.school)
    result = selectors.results(survey, with_missing=False) if survey else None
    return {"survey": survey, "top": result.categories[:5] if result else [], "result": result, "can_manage": can_manage,
            "plan": plan}
