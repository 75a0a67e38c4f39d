"""``yanxiu backup DEST``: back up the database (see :mod:`yanxiu.core.backup`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yanxiu.core import backup, signals


class Command(BaseCommand):
    # Backups must work even when some other part of the project fails its checks.
    requires_system_checks: list[str] = []
    help = (
        "备份数据库到 DEST。SQLite 做在线备份（服务无需停止），PostgreSQL 使用 pg_dump -Fc。"
        "DEST 为已有目录时，在其中生成带日期时间的备份文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", help="备份文件路径，或存放备份文件的目录")

    def handle(self, *args, dest: str, **options):
        try:
            path = backup.backup(dest)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成：{backup.describe(path)}"))
        self.stdout.write(f"上传文件：{backup.describe(backup.media_archive_for(path))}（恢复时与数据库文件放在同一目录）")
        announce(self, "backup")



def announce(command, event: str) -> None:
    """Let the apps act on a finished backup or restore (the credits app writes the ledger's
    signed head beside the backups): each receiver's line is printed, a failure is a warning."""
    for _receiver, result in signals.backup_written.send_robust(sender=command.__class__, event=event):
        if isinstance(result, Exception):
            command.stderr.write(command.style.WARNING(str(result)))
        elif result:
            command.stdout.write(str(result))
