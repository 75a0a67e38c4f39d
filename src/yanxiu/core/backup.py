"""Database backup and restore for the ``backup`` and ``restore`` commands.

- SQLite: an online copy with SQLite's backup API (a consistent snapshot while
  the site keeps running), written to a temporary file and renamed into place.
  Restore copies the file back into the live database with the same API, so
  running processes see the restored data without re-opening the file.
- PostgreSQL: ``pg_dump -Fc`` and ``pg_restore --clean --if-exists --no-owner``
  with the connection settings of ``DATABASES['default']`` (the password is
  passed in ``PGPASSWORD``, never on the command line).
- Uploaded files (sick notes, certificate scans, session materials under
  ``MEDIA_ROOT``) go into ``<backup>.media.tar`` beside the database backup.
  Restore unpacks it into a fresh folder and swaps it in, so the files always
  match the restored database; a backup without one leaves the files alone.
  Roster previews waiting for confirmation are left out (core.disk).
- Every file written here (backups, archives, pre-restore copies) is 0600 and
  the folder of pre-restore copies 0700: they hold every ID number.

Every failure raises :class:`BackupError` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connections

from . import disk

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"
MARKER_TABLE = "django_migrations"


class BackupError(Exception):
    """A backup or restore could not be done; the message says why (in Chinese)."""


def _db() -> dict:
    return settings.DATABASES["default"]


def engine() -> str:
    name = _db()["ENGINE"]
    if name.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in name:
        return "postgresql"
    raise BackupError(f"不支持的数据库类型：{name}。仅支持 SQLite 和 PostgreSQL。")


def default_filename(kind: str | None = None) -> str:
    kind = kind or engine()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"yanxiu-{stamp}.{'sqlite3' if kind == 'sqlite' else 'dump'}"


def _resolve_dest(dest: str | os.PathLike) -> Path:
    path = Path(dest).expanduser()
    if path.is_dir():
        path = path / default_filename()
    if not path.parent.is_dir():
        raise BackupError(f"目标目录不存在：{path.parent}")
    return path


def _fsize(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def describe(path: Path) -> str:
    return f"{path}（{_fsize(path)}）"


def backup(dest: str | os.PathLike) -> Path:
    """Back up the default database to ``dest`` (a file, or a directory to put a dated file in),
    and the uploaded files beside it (:func:`media_archive_for`)."""
    kind = engine()
    path = _resolve_dest(dest)
    if kind == "sqlite":
        _sqlite_backup(path)
    else:
        _pg_dump(path)
    _media_backup(media_archive_for(path))
    return path


def restore(src: str | os.PathLike, *, safety_dir: Path | None = None) -> Path | None:
    """Replace the default database with the backup ``src``.

    The backup is checked first (right format, a Yanxiu/Django database).
    Unless ``safety_dir`` is None, the current database is backed up there
    first; that file's path is returned.
    """
    kind = engine()
    path = Path(src).expanduser()
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    if kind == "sqlite":
        _sqlite_check(path)
    else:
        _pg_check(path)
    safety = None
    if safety_dir is not None:
        disk.private_dir(safety_dir)
        safety = backup(safety_dir / f"pre-restore-{default_filename(kind)}")
    archive = media_archive_for(path)
    if archive.is_file():
        _media_check(archive)
    connections.close_all()
    if kind == "sqlite":
        _sqlite_restore(path)
    else:
        _pg_restore(path)
    connections.close_all()
    if archive.is_file():
        _media_restore(archive)
    return safety


# --- Uploaded files ----------------------------------------------------------------


def media_archive_for(path: Path) -> Path:
    return path.with_name(path.name + ".media.tar")


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_backup(archive: Path) -> None:
    """Write every file under MEDIA_ROOT into ``archive`` (an empty archive when there are none)."""
    root = _media_root()
    part = archive.with_name(archive.name + ".part")
    try:
        with tarfile.open(disk.private_file(part), "w") as tar:
            if root.is_dir():
                for file in sorted(p for p in root.rglob("*") if p.is_file()):
                    arcname = file.relative_to(root).as_posix()
                    if not disk.is_pending(arcname):
                        tar.add(file, arcname=arcname, recursive=False)
        os.replace(part, archive)
    except OSError as exc:
        raise BackupError(f"上传文件备份失败：{exc}") from exc
    finally:
        part.unlink(missing_ok=True)


def _media_check(archive: Path) -> None:
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar.getmembers():
                name = Path(member.name)
                if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
                    raise BackupError(f"上传文件备份 {archive} 中有不安全的条目：{member.name}")
    except tarfile.TarError as exc:
        raise BackupError(f"上传文件备份 {archive} 已损坏：{exc}") from exc


def _media_restore(archive: Path) -> None:
    """Unpack into a fresh folder beside MEDIA_ROOT, then swap it in."""
    root = _media_root()
    fresh = root.with_name(root.name + ".restoring")
    old = root.with_name(root.name + ".replaced")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    try:
        fresh.mkdir(parents=True)
        with tarfile.open(archive, "r") as tar:
            tar.extractall(fresh, filter="data")
        disk.make_tree_private(fresh)
        if root.exists():
            root.rename(old)
        fresh.rename(root)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"上传文件恢复失败：{exc}（数据库已恢复，上传文件未变）") from exc
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


# --- SQLite ------------------------------------------------------------------------


def _sqlite_path() -> Path:
    name = str(_db()["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("当前数据库是内存数据库，无法备份或恢复。")
    path = Path(name)
    if not path.is_file():
        raise BackupError(f"数据库文件不存在：{path}。请先运行 yanxiu migrate。")
    return path


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    return sqlite3.connect(path, timeout=30)


def _sqlite_backup(dest: Path) -> None:
    source_path = _sqlite_path()
    if dest.exists() and dest.resolve() == source_path.resolve():
        raise BackupError("备份文件不能与数据库文件相同。")
    part = disk.private_file(dest.with_name(dest.name + ".part"))
    try:
        source = _connect(source_path)
        target = _connect(part)
        try:
            source.backup(target)
            # A self-contained file: no -wal/-shm companions.
            target.execute("PRAGMA journal_mode=DELETE")
            result = target.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"备份文件校验失败：{result}")
        finally:
            target.close()
            source.close()
        os.replace(part, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 备份失败：{exc}") from exc
    finally:
        part.unlink(missing_ok=True)


def _sqlite_check(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupError(f"{path} 不是 SQLite 数据库文件，无法恢复。")
    try:
        conn = _connect(path, readonly=True)
        try:
            has_marker = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MARKER_TABLE,)
            ).fetchone()
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc
    if not has_marker:
        raise BackupError(f"{path} 中没有 {MARKER_TABLE} 表，不是本系统的数据库备份。")
    if result != "ok":
        raise BackupError(f"备份文件 {path} 已损坏：{result}")


def _sqlite_restore(src: Path) -> None:
    target_path = _sqlite_path()
    if target_path.resolve() == src.resolve():
        raise BackupError("备份文件就是当前数据库文件，无需恢复。")
    try:
        source = _connect(src, readonly=True)
        target = _connect(target_path)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite 恢复失败：{exc}（数据库可能正被占用，请停止服务后重试）") from exc


# --- PostgreSQL --------------------------------------------------------------------

_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def _pg_connection() -> tuple[list[str], dict[str, str]]:
    db = _db()
    if not db.get("NAME"):
        raise BackupError("数据库配置中缺少数据库名（NAME）。")
    args: list[str] = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for key, var in _PG_OPTION_ENV.items():
        value = (db.get("OPTIONS") or {}).get(key)
        if value:
            env[var] = str(value)
    args += ["-d", str(db["NAME"])]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name} 命令。请安装 PostgreSQL 客户端（Debian/Ubuntu：apt install postgresql-client）。")
    return path


def _run(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"{what}失败：{exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what}失败（退出码 {result.returncode}）：{detail}")
    return result


def _pg_dump(dest: Path) -> None:
    args, env = _pg_connection()
    part = disk.private_file(dest.with_name(dest.name + ".part"))
    try:
        _run([_tool("pg_dump"), "-Fc", "-f", str(part), *args], env, "pg_dump 备份")
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)


def _pg_check(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(len(PGDUMP_HEADER)) != PGDUMP_HEADER:
            raise BackupError(f"{path} 不是 pg_dump 自定义格式（-Fc）的备份文件，无法恢复。")
    listing = _run([_tool("pg_restore"), "-l", str(path)], dict(os.environ), "读取备份目录").stdout
    if f" {MARKER_TABLE} " not in listing:
        raise BackupError(f"{path} 中没有 {MARKER_TABLE} 表，不是本系统的数据库备份。")


def _pg_restore(src: Path) -> None:
    args, env = _pg_connection()
    try:
        _run(
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(src)],
            env,
            "pg_restore 恢复",
        )
    except BackupError as exc:
        # --single-transaction: nothing was changed.
        raise BackupError(f"{exc}\n恢复已整体回滚，数据库未改动。") from exc
