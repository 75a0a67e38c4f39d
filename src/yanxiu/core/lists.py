"""The one generic list page: scoped rows, columns, filters, search, htmx paging, xlsx export.

Every list screen is a few lines on :class:`ScopedListView`::

    class SchoolListView(ScopedListView):
        permission = "org.view_school_list"
        page_title = gettext_lazy("学校")
        columns = [
            Column("code", gettext_lazy("学校标识码"), sortable=True),
            Column("name", gettext_lazy("学校名称"), link=lambda s: reverse("org:school_detail", args=[s.pk])),
        ]
        search_fields = ["name", "code"]
        export_filename = gettext_lazy("学校")

        def get_queryset(self):
            return selectors.school_list(user=self.request.user)

The contract:

- ``get_queryset()`` MUST return rows from a scoped selector (the app's
  ``selectors.py``, which starts from an ``org.scopes.*_visible_to`` queryset):
  this class never widens or narrows who sees what, it only filters, searches,
  sorts and pages what the selector already allows. A selector that computes
  its rows in Python (a register) may return a list: it is paged and exported
  the same way, and filtered by the selector itself (``search_fields`` and
  sorting need a queryset).
- ``permission`` is a ``rules`` permission checked with
  ``user.has_perm(permission, permission_object())``; override
  :meth:`check_permission` for a decision that is not one permission.
- ``filters`` is a form class; its ``cleaned_data`` goes to
  :meth:`filter_queryset` (by default each non-empty field filters the
  field of the same name; override it to call the selector's filters).
  An invalid filter form filters nothing and shows its errors.
- ``search_fields`` are ORM lookups OR-ed with ``icontains``; the text is
  bounded (``max_search_length``, NUL dropped) before it reaches the query.
- ``?page=`` junk gives page 1 and a number past the end the last page
  (never a 404 or a 500); ``paginate_by`` is bounded by ``MAX_PAGE_SIZE``.
- With ``export_filename`` set, ``?export=xlsx`` answers the same filtered and
  sorted rows (every page, not just the one shown) as an xlsx written through
  :mod:`yanxiu.core.xlsx` and named through :mod:`yanxiu.core.downloads`;
  above ``max_export_rows`` it refuses with a Chinese message. All of the
  export is in :meth:`export_response`; above ``YANXIU_EXPORT_INLINE_ROWS``
  rows it starts a background job (:meth:`export_job`, ``core/jobs.py``) that
  rebuilds the same rows for the same user and query string and writes them
  with :meth:`write_export`, and sends the user to the job's progress page.
- An htmx request (``HX-Request``) gets only the table partial
  (``table_template``), any other request the whole page (``template_name``);
  the pager's links are plain links with ``hx-get``, so they work without JS.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from yanxiu.core import jobs, params

#: The largest page any list shows; a subclass asking for more gets this many.
MAX_PAGE_SIZE = 500
#: Rows an export writes at most unless the view says otherwise.
DEFAULT_MAX_EXPORT_ROWS = 20_000


def _resolve(row: Any, path: str) -> Any:
    """``row.a.b`` for the path ``"a.b"``; a callable attribute (``get_x_display``) is called; None stops."""
    value = row
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value) and not isinstance(value, Model) and not hasattr(value, "all"):
            value = value()
    return value


@dataclass
class Column:
    """One column of a list: ``value`` is an attribute path (``"person.name"``,
    ``"get_stage_display"``) or a callable taking the row; by default the key.

    ``export``: written to the xlsx; ``show``: shown in the table (an export-only
    column sets it False); ``sortable``: True sorts by ``order_by`` (by default the
    attribute path as an ORM lookup, else the key), or give the lookup as a string;
    ``template``: a template rendering the cell with ``row``, ``value`` and ``column``;
    ``link``: a callable giving the address the cell links to; ``classes``: CSS
    classes of the cell (``"masked hide-sm"``).
    """

    key: str
    label: Any
    value: str | Callable[[Any], Any] | None = None
    export: bool = True
    sortable: bool | str = False
    template: str | None = None
    show: bool = True
    link: Callable[[Any], str] | None = None
    classes: str = ""
    export_value: Callable[[Any], Any] | None = None

    def get_value(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        return _resolve(row, self.value or self.key)

    def get_export_value(self, row: Any) -> Any:
        if self.export_value is not None:
            return self.export_value(row)
        value = self.get_value(row)
        if value is None:
            return ""
        if isinstance(value, (str, int, float)):
            return value
        if hasattr(value, "all"):  # a related manager: its rows' names
            return "、".join(str(v) for v in value.all())
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None and hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    @property
    def order_field(self) -> str | None:
        if not self.sortable:
            return None
        if isinstance(self.sortable, str):
            return self.sortable
        if isinstance(self.value, str):
            # "get_kind_display" shows a choice's label; the rows sort by the field itself.
            path = [part[4:-8] if part.startswith("get_") and part.endswith("_display") else part for part in self.value.split(".")]
            return "__".join(path)
        return self.key


def _sort_key(value):
    """Numbers by value, everything else by its text (pinyin order is the database's job)."""
    return (0, value, "") if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, 0, str(value))


@dataclass
class Cell:
    column: Column
    value: Any
    html: str | None
    url: str | None


class ScopedListView(LoginRequiredMixin, View):
    """A paged, filtered, searchable, exportable list of rows from a scoped selector."""

    template_name = "includes/list_page.html"
    table_template = "includes/list_table.html"
    permission: str = ""
    page_title: Any = ""
    empty_message: Any = ""
    columns: Sequence[Column] = ()
    filters: type | None = None
    search_fields: Sequence[str] = ()
    search_param = "q"
    search_placeholder: Any = ""
    max_search_length = 50
    paginate_by = 50
    page_param = "page"
    sort_param = "sort"
    export_filename: Any = ""
    #: ASCII stem of the download name for clients that do not read ``filename*`` (``staff`` → ``staff-<stamp>.xlsx``).
    export_fallback = ""
    export_param = "export"
    #: True for a URL that is only the export (``org:staff_export``): every GET is the xlsx.
    export_only = False
    max_export_rows = DEFAULT_MAX_EXPORT_ROWS
    #: The element the htmx pager and filters replace; also the partial's wrapper id.
    table_id = "list-table"
    http_method_names = ["get", "head", "options"]

    # Hooks -------------------------------------------------------------
    def get_queryset(self) -> QuerySet:  # pragma: no cover - abstract
        """The rows this user may see: from a scoped selector, never a bare model manager."""
        raise NotImplementedError

    def permission_object(self) -> Any:
        return None

    def check_permission(self) -> None:
        if self.permission and not self.request.user.has_perm(self.permission, self.permission_object()):
            raise PermissionDenied(_("您没有权限访问此页面。"))

    def get_filter_form_kwargs(self) -> dict:
        return {}

    def filter_queryset(self, qs: QuerySet, data: dict) -> QuerySet:
        """Each non-empty filter field filters the field of the same name; override to use a selector's filters."""
        for name, value in data.items():
            if value not in (None, "", [], ()):
                qs = qs.filter(**{name: value})
        return qs

    def search_queryset(self, qs: QuerySet, text: str) -> QuerySet:
        if not text or not self.search_fields:
            return qs
        condition = reduce(operator.or_, (Q(**{f"{field}__icontains": text}) for field in self.search_fields))
        return qs.filter(condition)

    def get_columns(self) -> list[Column]:
        return list(self.columns)

    def export_columns(self) -> list[Column]:
        return [c for c in self.get_columns() if c.export]

    def export_row(self, row: Any, columns: Sequence[Column]) -> list[Any]:
        return [c.get_export_value(row) for c in columns]

    def get_export_filename(self) -> str:
        from yanxiu.core import downloads

        return downloads.filename(str(self.export_filename), self._stamp(), ext="xlsx")

    def get_export_fallback(self) -> str | None:
        return f"{self.export_fallback}-{self._stamp()}.xlsx" if self.export_fallback else None

    def _stamp(self) -> str:
        return timezone.localtime().strftime("%Y%m%d-%H%M")

    def get_context_data(self, **kwargs) -> dict:
        return kwargs

    # Machinery ---------------------------------------------------------
    @property
    def searchable(self) -> bool:
        """A search box: ``search_fields`` declared, or :meth:`search_queryset` overridden (a selector's own search)."""
        return bool(self.search_fields) or type(self).search_queryset is not ScopedListView.search_queryset

    def get_search_text(self) -> str:
        return params.text_param(self.request.GET, self.search_param, max_length=self.max_search_length)

    def build_filter_form(self):
        if self.filters is None:
            return None
        data = self.request.GET if any(k in self.request.GET for k in self._filter_field_names()) else None
        return self.filters(data=data, **self.get_filter_form_kwargs())

    def _filter_field_names(self) -> list[str]:
        return list(getattr(self.filters, "base_fields", {}).keys())

    def get_sort(self) -> tuple[str, Column | None, bool]:
        raw = params.text_param(self.request.GET, self.sort_param, max_length=64)
        descending = raw.startswith("-")
        key = raw.lstrip("-")
        for column in self.get_columns():
            if column.key == key and column.order_field:
                return raw, column, descending
        return "", None, False

    def sort_queryset(self, qs: QuerySet) -> QuerySet:
        _raw, column, descending = self.get_sort()
        if column is None:
            return qs
        if not isinstance(qs, QuerySet):
            # Rows computed in Python (a register): sorted by the column's shown value, blanks last.
            rows = list(qs)
            filled = [r for r in rows if column.get_value(r) not in (None, "")]
            blank = [r for r in rows if column.get_value(r) in (None, "")]
            return sorted(filled, key=lambda r: _sort_key(column.get_value(r)), reverse=descending) + blank
        field = column.order_field
        return qs.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")

    def get_rows(self) -> QuerySet:
        """The selector's rows filtered, searched and sorted: what every page and the export show."""
        qs = self.get_queryset()
        self.filter_form = self.build_filter_form()
        if self.filter_form is not None and self.filter_form.is_bound and self.filter_form.is_valid():
            qs = self.filter_queryset(qs, self.filter_form.cleaned_data)
        self.search_text = self.get_search_text() if self.searchable else ""
        qs = self.search_queryset(qs, self.search_text)
        return self.sort_queryset(qs)

    def get_page_size(self) -> int:
        return max(1, min(int(self.paginate_by or 50), MAX_PAGE_SIZE))

    def paginate(self, qs: QuerySet):
        raw = params.text_param(self.request.GET, self.page_param, max_length=12)
        # Junk is page 1 and past the end the last page: Paginator.get_page does both.
        return Paginator(qs, self.get_page_size()).get_page(raw or 1)

    def is_partial(self) -> bool:
        headers = self.request.headers
        return bool(headers.get("HX-Request")) and not headers.get("HX-History-Restore-Request")

    def wants_export(self) -> bool:
        return bool(self.export_filename) and (self.export_only or self.request.GET.get(self.export_param) == "xlsx")

    def cells(self, row: Any, columns: Sequence[Column]) -> list[Cell]:
        out = []
        for column in columns:
            value = column.get_value(row)
            html = None
            if column.template:
                html = render_to_string(column.template, {"row": row, "value": value, "column": column, "view": self},
                                        request=self.request)
            url = column.link(row) if column.link else None
            out.append(Cell(column=column, value=value, html=html, url=url))
        return out

    def export_refused(self, count: int) -> HttpResponse:
        messages.error(
            self.request,
            _("共 %(count)d 行，超过一次导出的上限 %(max)d 行，请先筛选后再导出。") % {"count": count, "max": self.max_export_rows},
        )
        query = self.request.GET.copy()
        query.pop(self.export_param, None)
        target = self.get_list_url()
        return HttpResponseRedirect(f"{target}?{query.urlencode()}" if query else target)

    def get_list_url(self) -> str:
        """The list page itself (where a refused export goes back to)."""
        return self.request.path

    def export_response(self, rows_qs: QuerySet) -> HttpResponse:
        """The filtered rows as one xlsx, or a refusal above ``max_export_rows``."""
        from yanxiu.core import downloads, xlsx

        count = rows_qs.count() if isinstance(rows_qs, QuerySet) else len(rows_qs)
        if count > self.max_export_rows:
            return self.export_refused(count)
        if count > jobs.inline_rows():  # a long export: written by a background job while a progress bar shows
            return self.export_job(count)
        columns = self.export_columns()
        wb = xlsx.workbook(write_only=True)
        ws = wb.create_sheet(str(self.export_filename)[:31] or "Sheet1")
        xlsx.append(ws, [str(c.label) for c in columns])
        for row in rows_qs.iterator(chunk_size=2000) if isinstance(rows_qs, QuerySet) else rows_qs:
            xlsx.append(ws, self.export_row(row, columns))
        return downloads.download(xlsx.to_bytes(wb), content_type=xlsx.CONTENT_TYPE, name=self.get_export_filename(),
                                  fallback=self.get_export_fallback())

    def export_job(self, count: int) -> HttpResponse:
        """Queue the export of these rows (same view, user and query string) and send the user to its progress page."""
        from django.utils import translation

        from yanxiu.core import tasks

        cls = type(self)
        job = jobs.start(user=self.request.user, kind="list.export", task=tasks.list_export,
                         label=_("导出%(name)s（%(count)d 行）") % {"name": self.export_filename, "count": count},
                         view=f"{cls.__module__}.{cls.__qualname__}", url_kwargs=dict(self.kwargs), path=self.request.path,
                         query=self.request.GET.urlencode(), language=translation.get_language() or "")
        return HttpResponseRedirect(job.get_absolute_url())

    def write_export(self, path, rows, *, job_id: int) -> None:
        """Write ``rows`` as the xlsx of this list into ``path``, reporting progress to the job every 500 rows."""
        from yanxiu.core import xlsx

        total = rows.count() if isinstance(rows, QuerySet) else len(rows)
        columns = self.export_columns()
        wb = xlsx.workbook(write_only=True)
        ws = wb.create_sheet(str(self.export_filename)[:31] or "Sheet1")
        xlsx.append(ws, [str(c.label) for c in columns])
        jobs.progress(job_id, 0, total)
        for n, row in enumerate(rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else rows, start=1):
            xlsx.append(ws, self.export_row(row, columns))
            if n % 500 == 0:
                jobs.progress(job_id, n, total)
        jobs.progress(job_id, total, total, _("正在保存文件……"))
        wb.save(path)

    def get(self, request, *args, **kwargs):
        self.check_permission()
        rows = self.get_rows()
        if self.wants_export():
            return self.export_response(rows)
        page = self.paginate(rows)
        columns = [c for c in self.get_columns() if c.show]
        raw_sort, _column, _desc = self.get_sort()
        headers = [{"column": c, "sort": (f"-{c.key}" if raw_sort == c.key else c.key) if c.order_field else None,
                    "active": raw_sort.lstrip("-") == c.key, "descending": raw_sort.startswith("-")} for c in columns]
        context = self.get_context_data(
            view=self,
            page_obj=page,
            rows=[(row, self.cells(row, columns)) for row in page.object_list],
            columns=columns,
            headers=headers,
            filter_form=self.filter_form,
            search_text=self.search_text,
            sort=raw_sort,
            page_title=self.page_title,
            empty_message=self.empty_message or _("没有记录。"),
            table_id=self.table_id,
            table_template=self.table_template,
            can_export=bool(self.export_filename),
        )
        template = self.table_template if self.is_partial() else self.template_name
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response
