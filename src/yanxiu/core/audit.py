"""Writing audit rows. Called only from service functions."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def record(*, actor, action: str, target: models.Model, **detail: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        detail=detail,
    )
