"""Signals the base sends so that apps built on it can act without core importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``yanxiu backup`` after a backup is written and by ``yanxiu restore`` after a
# restore, with ``event`` = "backup" or "restore". A receiver returns one line for the
# operator (or None). The credits app writes the ledger's signed head here.
backup_written = Signal()
