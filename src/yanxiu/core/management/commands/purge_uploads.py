"""``yanxiu purge_uploads``: delete roster previews never confirmed (full ID numbers) after a day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from yanxiu.core import disk


class Command(BaseCommand):
    help = "删除超过一天仍未确认导入的花名册预览文件（含完整身份证号）。每天运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="保留时长（小时，默认 24）")

    def handle(self, *args, hours: int, **options):
        removed = disk.purge_pending_uploads(max_age=dt.timedelta(hours=max(hours, 0)))
        self.stdout.write(f"已删除 {len(removed)} 个未确认的上传文件。")
