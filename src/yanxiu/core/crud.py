"""A small generic base for admin screens: form pages that call a service,
action buttons that call a service (:class:`ServiceActionView`), and history
pages (lists are :class:`yanxiu.core.lists.ScopedListView`). Every screen that creates or edits a record uses these
instead of hand-written GET/POST handling.

A subclass says which permission guards it (checked with ``rules`` against
``permission_object()``), which form to show and which service to call in
``perform()``. Validation errors raised by the service (a dict keyed by
field, or a plain message) land on the form, so the user sees the field and
the problem in Chinese; nothing is saved when one is raised.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View


class _ServiceView(LoginRequiredMixin, View):
    """What form pages and action buttons share: a declared ``permission`` checked
    against ``permission_object()`` (by default the object from :meth:`get_object`)."""

    permission: str = ""
    success_message = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = None

    # Hooks -------------------------------------------------------------
    def get_object(self) -> Any:
        return None

    def permission_object(self) -> Any:
        return self.object


class ServiceFormView(_ServiceView):
    form_class: type
    template_name = "includes/form_page.html"
    page_title = ""
    submit_label = ""

    def get_form_kwargs(self) -> dict:
        return {}

    def get_initial(self) -> dict:
        return {}

    def perform(self, form) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_success_url(self, result) -> str:
        raise NotImplementedError

    def get_back_url(self) -> str | None:
        return None

    def get_context_data(self, **kwargs) -> dict:
        return kwargs

    # Machinery ---------------------------------------------------------
    def check(self) -> None:
        self.object = self.get_object()
        if self.permission and not self.request.user.has_perm(self.permission, self.permission_object()):
            raise PermissionDenied(_("您没有权限访问此页面。"))

    def build_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, initial=self.get_initial(), **self.get_form_kwargs())

    def render_form(self, form, status=200):
        context = self.get_context_data(
            form=form,
            object=self.object,
            page_title=self.page_title,
            submit_label=self.submit_label,
            back_url=self.get_back_url(),
        )
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.check()
        return self.render_form(self.build_form())

    def post(self, request, *args, **kwargs):
        self.check()
        form = self.build_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = self.perform(form)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                if self.success_message:
                    from django.contrib import messages

                    messages.success(request, self.success_message)
                return redirect(self.get_success_url(result))
        return self.render_form(form, status=400)


class ServiceActionView(_ServiceView):
    """A POST button that calls one service: revoke, close, publish, approve ...

    A subclass declares ``permission`` (a ``rules`` permission checked against
    ``permission_object()``, by default the object; override
    :meth:`check_permission` for another decision), fetches the object in
    :meth:`get_object` through a scoped selector (so an object the user may not
    see is a 404, for every role), and calls ONE service in :meth:`perform`.

    GET is refused (405): an action never runs from a link or a prefetch.
    After the service, ``success_message`` is shown and the user goes to a safe
    ``next`` (``core.params.safe_next``) or :meth:`get_success_url`. A
    ``ValidationError`` or ``PermissionDenied`` raised by the service (the
    request was fine, the action is not possible now) becomes an error message
    and the user goes back (a safe ``next`` or :meth:`get_back_url`); nothing is
    changed. A refusal by the view's own permission stays a 403.
    """

    http_method_names = ["post", "options"]

    # Hooks -------------------------------------------------------------
    def check_role(self) -> None:
        """Refuse (403) a role that may never do this action, before any object is looked up."""

    def check_permission(self) -> None:
        if self.permission and not self.request.user.has_perm(self.permission, self.permission_object()):
            raise PermissionDenied(_("您没有权限执行此操作。"))

    def perform(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return str(self.success_message) if self.success_message else ""

    def get_back_url(self) -> str:
        """Where the button was; the fallback when the action is refused."""
        return "/"

    def get_success_url(self, result) -> str:
        return self.get_back_url()

    # Machinery ---------------------------------------------------------
    def post(self, request, *args, **kwargs):
        from django.contrib import messages

        from yanxiu.core.params import safe_next

        self.check_role()
        try:
            # A lookup that finds the request cannot be done (a bulk form's stale ids) refuses like the service.
            self.object = self.get_object()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(safe_next(request, self.get_back_url()))
        self.check_permission()
        try:
            result = self.perform()
        except (ValidationError, PermissionDenied) as exc:
            problems = exc.messages if isinstance(exc, ValidationError) else [str(exc) or _("您没有权限执行此操作。")]
            for message in problems:
                messages.error(request, message)
            return redirect(safe_next(request, self.get_back_url()))
        message = self.get_success_message(result)
        if message:
            messages.success(request, message)
        return redirect(safe_next(request, self.get_success_url(result)))


class BulkActionView(ServiceActionView):
    """A POST that applies one service to the ticked rows of a list: approve, accept, mark, remind.

    The ids come from :func:`yanxiu.core.params.selected_ids` (bounded, clean); :meth:`get_queryset`
    gives the rows the user may see (a scoped selector), and a ticked id outside it refuses the whole
    action with a message, so a forged form never reaches the service. The service gets every row at
    once in :meth:`perform` (``self.objects``) and decides all or nothing.
    """

    def get_queryset(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def get_object(self):
        from yanxiu.core.params import selected_ids

        self.ids = selected_ids(self.request.POST)
        found = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=self.ids)}
        if len(found) != len(self.ids):
            raise ValidationError(
                _("所选记录中有 %(n)d 条已不存在或您无权处理，未做任何修改。请刷新页面后重试。") % {"n": len(self.ids) - len(found)})
        self.objects = [found[pk] for pk in self.ids]
        return self.objects

    def check_permission(self) -> None:
        if self.permission and not self.request.user.has_perm(self.permission, None):
            raise PermissionDenied(_("您没有权限执行此操作。"))


def run_service(request, call, *, success: str = "") -> bool:
    """Run a service call behind a POST button; its outcome goes to the messages framework.

    A ``ValidationError`` becomes one error message per problem (in Chinese,
    from the service) and nothing is changed; returns whether the call succeeded.
    """
    from django.contrib import messages

    try:
        call()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return False
    if success:
        messages.success(request, success)
    return True


def apply_validation_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _shown(field, value):
    """A stored value as people read it: a choice's label, a related row's name, 是/否 — never a code or an id."""
    if value is None or value == "":
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if (field.many_to_one or field.one_to_one) and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else _("（已删除）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def history_rows(instance, *, labels: dict[str, str] | None = None) -> list[dict]:
    """Rows for the history page of a model with django-simple-history."""
    records = list(instance.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
    kinds = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    rows = []
    for index, record in enumerate(records):
        changes = []
        older = records[index + 1] if index + 1 < len(records) else None
        if older is not None:
            delta = record.diff_against(older)
            for change in delta.changes:
                field = instance._meta.get_field(change.field)
                changes.append({"field": (labels or {}).get(change.field, field.verbose_name),
                                "old": _shown(field, change.old), "new": _shown(field, change.new)})
        rows.append({"when": record.history_date, "who": record.history_user, "kind": kinds.get(record.history_type, ""), "changes": changes})
    return rows


def render_history(request, instance, *, title: str, back_url: str | None = None, hidden_fields: tuple[str, ...] = ()):
    rows = history_rows(instance)
    for row in rows:
        row["changes"] = [
            c if c["field"] not in {instance._meta.get_field(f).verbose_name for f in hidden_fields} else {**c, "old": "***", "new": "***"}
            for c in row["changes"]
        ]
    return render(request, "includes/history.html", {"rows": rows, "page_title": title, "back_url": back_url})
