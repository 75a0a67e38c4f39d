"""Writes to training: each function checks permission, validates, saves and
audits in one transaction. Views, the API and commands call these, never
``Model.save``.

One module per entity; the public names are re-exported here so callers use
``from yanxiu.training import services`` and ``services.session_publish(...)``."""

from __future__ import annotations

from .projects import (
    validate_school_year,
    hours_policy_for,
    category_save,
    plan_save,
    project_create,
    project_update,
    project_submit,
    project_approve,
    project_return,
)
from .sessions import (
    SESSION_MAX_DAYS,
    NOTIFIED_FIELDS,
    missing_fixed_items,
    session_create,
    session_update,
    session_publish,
    session_cancel,
    MAX_RECURRING,
    sessions_create_recurring,
    evaluation_submit,
    calendar_feed_for,
    calendar_feed_reset,
)
from .enrolment import (
    session_invite,
    enrollment_withdraw,
    session_self_enroll,
    quota_allocate,
    quota_name,
    quota_unname,
    quota_submit,
    swap_request_create,
    swap_request_decide,
)
from .leave import (
    leave_request_create,
    leave_decide,
    leave_decide_many,
    leave_cancel,
)

__all__ = [
    "validate_school_year",
    "hours_policy_for",
    "category_save",
    "plan_save",
    "project_create",
    "project_update",
    "project_submit",
    "project_approve",
    "project_return",
    "SESSION_MAX_DAYS",
    "NOTIFIED_FIELDS",
    "missing_fixed_items",
    "session_create",
    "session_update",
    "session_publish",
    "session_cancel",
    "MAX_RECURRING",
    "sessions_create_recurring",
    "evaluation_submit",
    "calendar_feed_for",
    "calendar_feed_reset",
    "session_invite",
    "enrollment_withdraw",
    "session_self_enroll",
    "quota_allocate",
    "quota_name",
    "quota_unname",
    "quota_submit",
    "swap_request_create",
    "swap_request_decide",
    "leave_request_create",
    "leave_decide",
    "leave_decide_many",
    "leave_cancel",
]
