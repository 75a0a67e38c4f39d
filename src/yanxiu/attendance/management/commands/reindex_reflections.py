"""Rebuild the originality index of every stored reflection (after the lexicon or the shingles change)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from yanxiu.attendance import originality


class Command(BaseCommand):
    help = "Rebuild the originality (copy detection) index of all reflections"

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = originality.rebuild_index()
        self.stdout.write(f"{rows} index rows written")
