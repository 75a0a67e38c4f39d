"""Bootstrap markup for Django's choice-group widgets.

Django's ``CheckboxSelectMultiple`` and ``RadioSelect`` put the widget's
``class`` on the wrapper as well as on every input, and wrap each input in its
label. With Bootstrap's ``form-check-input`` that shrinks the whole group to a
1em box (labels one character per line, taps landing on the wrong option).
These templates give each option Bootstrap's ``form-check`` row instead: the
class only on the input, the label beside it, a plain wrapper.
"""

from __future__ import annotations

from django import forms

CHOICE_GROUP_TEMPLATE = "core/widgets/choice_group.html"


def bootstrap_choice_group(widget: forms.RadioSelect) -> forms.RadioSelect:
    """Render a radio or checkbox group as Bootstrap ``form-check`` rows (in place; returns the widget)."""
    widget.template_name = CHOICE_GROUP_TEMPLATE
    widget.attrs["class"] = "form-check-input"
    return widget


class CheckboxGroup(forms.CheckboxSelectMultiple):
    template_name = CHOICE_GROUP_TEMPLATE

    def __init__(self, attrs=None, choices=()):
        super().__init__({**(attrs or {}), "class": "form-check-input"}, choices)


class RadioGroup(forms.RadioSelect):
    template_name = CHOICE_GROUP_TEMPLATE

    def __init__(self, attrs=None, choices=()):
        super().__init__({**(attrs or {}), "class": "form-check-input"}, choices)
