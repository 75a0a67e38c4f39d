"""``yanxiu restore SRC``: replace the database with a backup (see :mod:`yanxiu.core.backup`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yanxiu.core import backup


class Command(BaseCommand):
    # Backups must work even when some other part of the project fails its checks.
    requires_system_checks: list[str] = []
    help = (
        "用备份文件 SRC 覆盖当前数据库（由 yanxiu backup 生成）。恢复前先检查备份文件，"
        "并把当前数据库另存到 var/backups/ 以便反悔。"
    )

    def add_arguments(self, parser):
        parser.add_argument("src", help="备份文件路径")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="不询问确认，直接恢复"
        )
        parser.add_argument(
            "--skip-safety-backup", action="store_true", help="恢复前不另存当前数据库"
        )

    def handle(self, *args, src: str, interactive: bool, skip_safety_backup: bool, **options):
        if interactive:
            self.stdout.write(self.style.WARNING(f"当前数据库的全部内容将被备份文件 {src} 替换。"))
            try:
                answer = input("确认恢复请输入 yes：")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("已取消恢复。")
        safety_dir = None if skip_safety_backup else settings.VAR_DIR / "backups"
        try:
            safety = backup.restore(src, safety_dir=safety_dir)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if safety is not None:
            self.stdout.write(f"恢复前的数据库已另存为：{backup.describe(safety)}")
        self.stdout.write(self.style.SUCCESS(f"恢复完成：{src}"))
        if backup.media_archive_for(Path(src).expanduser()).is_file():
            self.stdout.write("上传文件（证明材料、证书扫描件、活动资料）已一并恢复。")
        else:
            self.stdout.write(self.style.WARNING("备份旁没有上传文件备份（.media.tar），上传文件保持不变。"))
        self.stdout.write("如备份来自较早的版本，请再运行 yanxiu migrate。")
        # The restored data is the new baseline (e.g. for `yanxiu verify_ledger`: an older backup
        # has fewer ledger entries than the heads written since, on purpose).
        from .backup import announce

        announce(self, "restore")
