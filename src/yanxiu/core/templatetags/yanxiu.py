from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def action_label(code: str) -> str:
    """An audit action code as the Chinese label people read on history pages."""
    from yanxiu.core.audit import action_label as label

    return label(code)
