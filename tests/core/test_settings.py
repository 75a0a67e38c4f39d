"""The settings package: every YANXIU_* variable declared and documented, production's
refusal of a generated secret key on PostgreSQL, and pytest needing no environment."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "src" / "yanxiu" / "settings"
NAME = re.compile(r"\bYANXIU_[A-Z][A-Z0-9_]*[A-Z0-9]\b")
TEXT_SUFFIXES = {".py", ".html", ".js", ".txt", ".sh", ".md", ".toml", ".cfg", ".ini", ""}
PG_URL = "postgres://postgres@127.0.0.1:5432/yanxiu_settings_check"


def _names_in(*roots: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for root in roots:
        for path in root.rglob("*"):
            if not path.is_file() or path.suffix not in TEXT_SUFFIXES or "locale" in path.parts:
                continue
            for name in NAME.findall(path.read_text(encoding="utf-8", errors="ignore")):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def _settings_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SETTINGS_DIR.glob("*.py")))


def _readme_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Configuration (environment variables)", 1)[1].split("\n#", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `YANXIU_"))


def _run(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Python in a clean environment: only PATH, HOME and what the test gives."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "YANXIU_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


LOAD = (
    "import json, sys, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'key': s.SECRET_KEY, 'debug': s.DEBUG, 'hashers': s.PASSWORD_HASHERS, "
    "'static': s.STORAGES['staticfiles']['BACKEND'], 'engine': s.DATABASES['default']['ENGINE'], "
    "'secure': s.SESSION_COOKIE_SECURE, 'modules': sorted(m for m in sys.modules if m.startswith('yanxiu.settings'))}))"
)


def _loaded(out: subprocess.CompletedProcess) -> dict:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_yanxiu_variable_is_declared_in_settings_and_in_the_readme_table():
    names = _names_in(ROOT / "src", ROOT / "scripts")
    assert "YANXIU_DATABASE_URL" in names and "YANXIU_BIND" in names  # the scan sees src/ and scripts/
    declared, table = _settings_text(), _readme_table()
    assert not {n: sorted(f) for n, f in names.items() if n not in declared}, "named outside src/yanxiu/settings/"
    assert not {n: sorted(f) for n, f in names.items() if f"`{n}`" not in table}, "missing from the README's table"


def test_every_yanxiu_setting_the_code_reads_has_its_default_in_settings():
    read = set()
    for path in (ROOT / "src" / "yanxiu").rglob("*.py"):
        if SETTINGS_DIR in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"""getattr\(settings,\s*["'](YANXIU_[A-Z0-9_]+)""", text))
        read |= set(re.findall(r"\bsettings\.(YANXIU_[A-Z0-9_]+)", text))
        read |= set(re.findall(r"""_setting\(\s*["'](YANXIU_[A-Z0-9_]+)""", text))
    assert {"YANXIU_SIGNIN_PERIOD_SECONDS", "YANXIU_IMPORT_MAX_ROWS", "YANXIU_LEDGER_KEY"} <= read
    assert sorted(name for name in read if not hasattr(settings, name)) == []


def test_no_code_outside_settings_reads_a_yanxiu_variable_from_the_environment():
    outside = []
    for path in (ROOT / "src" / "yanxiu").rglob("*.py"):
        if SETTINGS_DIR in path.parents or path.name == "gunicorn_conf.py":  # gunicorn reads its own, before Django
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"""(environ|getenv)\b.*["']YANXIU_""", line):
                outside.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert outside == []


def test_production_on_postgresql_refuses_a_generated_secret_key(tmp_path):
    out = _run(LOAD, {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.production", "YANXIU_DATABASE_URL": PG_URL}, tmp_path)
    assert out.returncode != 0
    assert "ImproperlyConfigured" in out.stderr
    assert "YANXIU_SECRET_KEY" in out.stderr and "必须设置" in out.stderr and "identical on every web host" in out.stderr


def test_production_on_postgresql_loads_with_a_given_key(tmp_path):
    loaded = _loaded(_run(LOAD, {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.production", "YANXIU_DATABASE_URL": PG_URL,
                                 "YANXIU_SECRET_KEY": "k" * 60, "YANXIU_SECURE_COOKIES": "1"}, tmp_path))
    assert loaded["key"] == "k" * 60 and loaded["debug"] is False and loaded["secure"] is True
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_on_sqlite_keeps_the_generated_key_in_the_var_dir(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.production"}
    first, second = _loaded(_run(LOAD, env, tmp_path)), _loaded(_run(LOAD, env, tmp_path))
    key_file = tmp_path / "var" / "secret_key"
    assert first["key"] == second["key"] == key_file.read_text().strip() and len(first["key"]) > 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first["engine"] == "django.db.backends.sqlite3" and first["debug"] is False


def test_the_wsgi_application_and_the_yanxiu_command_use_the_production_settings():
    for module in ("wsgi.py", "__main__.py"):
        text = (ROOT / "src" / "yanxiu" / module).read_text(encoding="utf-8")
        assert '"DJANGO_SETTINGS_MODULE", "yanxiu.settings.production"' in text, module


def test_pytest_points_at_the_test_settings_which_need_no_environment(tmp_path):
    ini = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert ini["DJANGO_SETTINGS_MODULE"] == "yanxiu.settings.test"
    loaded = _loaded(_run(LOAD, {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.test"}, tmp_path))
    assert loaded["modules"] == ["yanxiu.settings", "yanxiu.settings.base", "yanxiu.settings.test"]
    assert loaded["hashers"] == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert loaded["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert loaded["engine"] == "django.db.backends.sqlite3"


def test_the_test_settings_accept_postgresql_without_a_key(tmp_path):
    loaded = _loaded(_run(LOAD, {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.test", "YANXIU_DATABASE_URL": PG_URL}, tmp_path))
    assert loaded["engine"] == "django.db.backends.postgresql"


def test_a_bare_pytest_collects_without_yanxiu_testing(tmp_path):
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "YANXIU_VAR_DIR": str(tmp_path / "var")}
    out = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "tests/core/test_settings.py"],
                         env=clean, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "test_a_bare_pytest_collects_without_yanxiu_testing" in out.stdout


def test_the_former_single_module_path_still_works(tmp_path):
    legacy = {"DJANGO_SETTINGS_MODULE": "yanxiu.settings"}
    testing = _loaded(_run(LOAD, {**legacy, "YANXIU_TESTING": "1", "YANXIU_DATABASE_URL": PG_URL}, tmp_path))
    assert testing["hashers"] == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    production = _run(LOAD, {**legacy, "YANXIU_DATABASE_URL": PG_URL}, tmp_path)
    assert production.returncode != 0 and "YANXIU_SECRET_KEY" in production.stderr


def test_the_dev_settings_show_debug_pages_and_accept_postgresql_without_a_key(tmp_path):
    loaded = _loaded(_run(LOAD, {"DJANGO_SETTINGS_MODULE": "yanxiu.settings.dev", "YANXIU_DATABASE_URL": PG_URL}, tmp_path))
    assert loaded["debug"] is True and loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert "yanxiu.settings.production" not in loaded["modules"]
