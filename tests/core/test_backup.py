"""``yanxiu backup`` / ``yanxiu restore``: round trips in a separate process and database."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]

SEED = """
from yanxiu.org.models import Region, School
province = Region.objects.create(code="430000", name="湖南省", level="province")
county = Region.objects.create(code="430121", name="长沙县", level="county", parent=province)
for i in range(3):
    School.objects.create(code=f"43012100{i:02d}", name=f"测试学校{i}", county=county, stage="primary")
"""
MODIFY = """
from yanxiu.org.models import Region, School
School.objects.filter(code="4301210000").update(name="改过的名字")
School.objects.filter(code="4301210002").delete()
Region.objects.create(code="990000", name="备份后新增", level="province")
"""
STATE = """
import json
from yanxiu.org.models import Region, School
print("STATE=" + json.dumps({
    "schools": sorted(School.objects.values_list("code", "name")),
    "regions": sorted(Region.objects.values_list("code", flat=True)),
}, ensure_ascii=False))
"""


def _yanxiu(env: dict[str, str], *args: str, check: bool = True, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "yanxiu", *args], env=env, capture_output=True, text=True, input=stdin, timeout=300
    )
    if check and result.returncode != 0:
        raise AssertionError(f"yanxiu {' '.join(args[:2])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def _shell(env: dict[str, str], code: str) -> str:
    return _yanxiu(env, "shell", "--no-imports", "-c", code).stdout


def _state(env: dict[str, str]) -> dict:
    line = next(line for line in _shell(env, STATE).splitlines() if line.startswith("STATE="))
    return json.loads(line[len("STATE="):])


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "YANXIU_DATABASE_URL": database_url,
            "YANXIU_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "yanxiu.settings.test",
        }
    )
    return env


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _round_trip(env: dict[str, str], backup_file: Path) -> None:
    _yanxiu(env, "migrate", "-v", "0")
    _shell(env, SEED)
    before = _state(env)
    assert len(before["schools"]) == 3
    var = Path(env["YANXIU_VAR_DIR"])
    assert _mode(var) == 0o700

    media = var / "media"
    note = media / "training" / "leave" / "2026" / "11" / "ab12_病假条.jpg"
    note.parent.mkdir(parents=True)
    note.write_bytes(b"\xff\xd8\xff sick note")
    # A roster preview never confirmed (full ID numbers): not in any backup.
    preview = media / "roster_uploads" / "0123abcd.xlsx"
    preview.parent.mkdir(parents=True)
    preview.write_bytes(b"PK preview")

    out = _yanxiu(env, "backup", str(backup_file)).stdout
    assert "备份完成" in out and backup_file.is_file()
    assert Path(f"{backup_file}.media.tar").is_file() and "上传文件" in out
    # Backups hold every ID number: owner-only, and the ledger's signed head is written with them.
    assert _mode(backup_file) == 0o600 and _mode(Path(f"{backup_file}.media.tar")) == 0o600
    import tarfile

    with tarfile.open(f"{backup_file}.media.tar") as tar:
        names = tar.getnames()
    assert "training/leave/2026/11/ab12_病假条.jpg" in names and not any(n.startswith("roster_uploads") for n in names)
    heads = list((var / "ledger-heads").glob("ledger-head-*.json"))
    assert len(heads) == 1 and _mode(heads[0]) == 0o600 and "台账链头签名" in out
    preview.unlink()

    _shell(env, MODIFY)
    changed = _state(env)
    assert changed != before and "990000" in changed["regions"]
    note.unlink()
    (media / "archive").mkdir()
    (media / "archive" / "later.pdf").write_bytes(b"%PDF-1.4 later")

    out = _yanxiu(env, "restore", str(backup_file), "--no-input").stdout
    assert "恢复完成" in out and "上传文件" in out and "已一并恢复" in out
    assert _state(env) == before
    # The uploaded files match the restored database: the note is back, the later upload gone.
    assert note.read_bytes() == b"\xff\xd8\xff sick note" and not (media / "archive").exists()

    assert _mode(note) == 0o600 and _mode(media) == 0o700
    # The database as it was before the restore was kept, and restores too.
    safety = sorted(p for p in (Path(env["YANXIU_VAR_DIR"]) / "backups").glob("pre-restore-*") if not p.name.endswith(".tar"))
    assert len(safety) == 1
    assert _mode(safety[0]) == 0o600 and _mode(Path(f"{safety[0]}.media.tar")) == 0o600 and _mode(safety[0].parent) == 0o700
    # The restored ledger is verified against a head written after the restore.
    assert "ledger OK" in _yanxiu(env, "verify_ledger").stdout
    _yanxiu(env, "restore", str(safety[0]), "--no-input", "--skip-safety-backup")
    assert _state(env) == changed
    assert (media / "archive" / "later.pdf").is_file() and not note.exists()


def test_sqlite_round_trip(tmp_path):
    db = tmp_path / "live.sqlite3"
    env = _env(tmp_path, f"sqlite:///{db}")
    _round_trip(env, tmp_path / "backup.sqlite3")
    assert _mode(db) == 0o600
    # The backup is a single self-contained file, not in WAL mode.
    import sqlite3

    conn = sqlite3.connect(tmp_path / "backup.sqlite3")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_sqlite_backup_into_directory_and_bad_sources(tmp_path):
    db = tmp_path / "live.sqlite3"
    env = _env(tmp_path, f"sqlite:///{db}")
    _yanxiu(env, "migrate", "-v", "0")
    folder = tmp_path / "backups"
    folder.mkdir()
    _yanxiu(env, "backup", str(folder))
    files = list(folder.glob("yanxiu-*.sqlite3"))
    assert len(files) == 1

    missing_dir = _yanxiu(env, "backup", str(tmp_path / "nope" / "x.sqlite3"), check=False)
    assert missing_dir.returncode != 0 and "目标目录不存在" in missing_dir.stderr

    import tarfile

    unsafe = tmp_path / "unsafe.sqlite3"
    unsafe.write_bytes(files[0].read_bytes())
    with tarfile.open(f"{unsafe}.media.tar", "w") as tar:
        info = tarfile.TarInfo("../../escape.txt")
        tar.addfile(info)
    result = _yanxiu(env, "restore", str(unsafe), "--no-input", check=False)
    assert result.returncode != 0 and "不安全的条目" in result.stderr

    not_sqlite = tmp_path / "not.sqlite3"
    not_sqlite.write_text("hello")
    result = _yanxiu(env, "restore", str(not_sqlite), "--no-input", check=False)
    assert result.returncode != 0 and "不是 SQLite 数据库文件" in result.stderr

    import sqlite3

    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    result = _yanxiu(env, "restore", str(other), "--no-input", check=False)
    assert result.returncode != 0 and "django_migrations" in result.stderr

    result = _yanxiu(env, "restore", str(tmp_path / "missing.sqlite3"), "--no-input", check=False)
    assert result.returncode != 0 and "备份文件不存在" in result.stderr

    # Without --no-input the restore asks first; anything but "yes" cancels.
    result = _yanxiu(env, "restore", str(files[0]), check=False, stdin="no\n")
    assert result.returncode != 0 and "已取消" in result.stderr


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (run the suite with a postgres:// YANXIU_DATABASE_URL)")
def test_postgres_round_trip(tmp_path):
    import psycopg

    db = settings.DATABASES["default"]
    name = f"yanxiu_backup_{uuid.uuid4().hex[:10]}"
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    params = {k: v for k, v in params.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = quote(str(db.get("USER") or ""), safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(str(db["PASSWORD"]), safe="")
        host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        url = f"postgres://{auth + '@' if auth else ''}{host}/{name}"
        env = _env(tmp_path, url)
        _round_trip(env, tmp_path / "backup.dump")
        assert (tmp_path / "backup.dump").read_bytes()[:5] == b"PGDMP"

        not_dump = tmp_path / "not.dump"
        not_dump.write_text("hello")
        result = _yanxiu(env, "restore", str(not_dump), "--no-input", check=False)
        assert result.returncode != 0 and "pg_dump" in result.stderr
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
