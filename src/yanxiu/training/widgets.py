"""The presenter picker: a select in pinyin order that a typed search filters.

Each option carries ``data-search`` (the name, its full pinyin and its initials,
see :mod:`yanxiu.core.pinyin`); ``static/yanxiu/select_filter.js`` puts a search
box above every ``select[data-searchable]`` and keeps only the matching options.
Without JavaScript it is an ordinary select, still in pinyin order.
"""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from yanxiu.core import pinyin


class SearchableSelect(forms.Select):
    template_name = "training/widgets/searchable_select.html"

    def __init__(self, attrs=None, choices=()):
        base = {"data-searchable": "1", "data-search-placeholder": _("输入姓名或拼音首字母搜索，如 zw")}
        super().__init__({**base, **(attrs or {})}, choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if value not in ("", None):
            option["attrs"]["data-search"] = pinyin.search_text(str(label))
        return option


class PinyinChoiceIterator(ModelChoiceIterator):
    """The queryset's rows sorted by the pinyin of their labels (the empty choice first)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = sorted(self.queryset, key=lambda obj: pinyin.sort_key(self.field.label_from_instance(obj)))
        for obj in rows:
            yield self.choice(obj)


class PinyinPersonChoiceField(forms.ModelChoiceField):
    """A person picked by name from a list in pinyin order, searchable by name or pinyin initials."""

    iterator = PinyinChoiceIterator
    widget = SearchableSelect

    def label_from_instance(self, obj):
        return obj.name
