"""Settings shared by every Yanxiu process; ``production``, ``dev`` and ``test`` build on them.

Which module a process uses:

- ``yanxiu.settings.production``: the web server (``yanxiu.wsgi``, gunicorn), the
  ``yanxiu`` command and scripts/serve.sh. Refuses to start on PostgreSQL without
  ``YANXIU_SECRET_KEY``.
- ``yanxiu.settings.dev``: ``DJANGO_SETTINGS_MODULE=yanxiu.settings.dev yanxiu runserver``
  on a developer's machine (debug pages on unless ``YANXIU_DEBUG=0``).
- ``yanxiu.settings.test``: pytest (pyproject.toml), bench/.

Everything that differs between machines comes from a ``YANXIU_*`` environment
variable, read once here with its default; the README's configuration table lists
every one. Code elsewhere reads ``settings.YANXIU_*``, never the environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} 必须是整数 / {name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Variables read outside Django, by the programs that start it (named here so that
# every YANXIU_* variable is found in one place; the README's table explains them).
PROCESS_ENVIRONMENT = {
    "YANXIU_BIND": "scripts/serve.sh: the address and port gunicorn listens on",
    "YANXIU_WEB_WORKERS": "src/yanxiu/gunicorn_conf.py: gunicorn worker processes",
    "YANXIU_WEB_THREADS": "src/yanxiu/gunicorn_conf.py: threads per worker",
    "YANXIU_TEST_PG_HOST": "scripts/test.sh: the PostgreSQL host of the test suite's second pass",
    "YANXIU_TEST_SERIAL": "scripts/test.sh: 1 runs the SQLite and PostgreSQL passes one after the other",
    "YANXIU_TESTING": "settings/__init__.py: with DJANGO_SETTINGS_MODULE=yanxiu.settings, 1 selects the test settings",
}

VAR_DIR = Path(os.environ.get("YANXIU_VAR_DIR") or BASE_DIR / "var").resolve()
# Database, secret key, uploads and backups: readable by the service's user only.
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _stored_secret_key() -> str:
    """The key generated on first run and kept in ``var/secret_key``."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _public_url(value: str) -> str:
    """The address phones and printed QR codes use, e.g. ``http://192.168.1.20:8000``."""
    value = value.rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"YANXIU_PUBLIC_URL must look like http://192.168.1.20:8000, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


# Given: identical on every web host (production on PostgreSQL requires it). Not given:
# generated once into var/secret_key, which only a single host can share.
YANXIU_SECRET_KEY = env_str("YANXIU_SECRET_KEY")
SECRET_KEY_GENERATED = not YANXIU_SECRET_KEY
SECRET_KEY = YANXIU_SECRET_KEY or _stored_secret_key()
DEBUG = env_bool("YANXIU_DEBUG")
# Allowed hosts, CSRF origins and the QR codes for sign-in and certificates all
# follow YANXIU_PUBLIC_URL (see core/public_url.py).
PUBLIC_URL = _public_url(env_str("YANXIU_PUBLIC_URL"))
ALLOWED_HOSTS = env_list("YANXIU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("YANXIU_CSRF_TRUSTED_ORIGINS")
if PUBLIC_URL:
    _public_host = urlsplit(PUBLIC_URL).hostname
    _public_host = f"[{_public_host}]" if ":" in _public_host else _public_host
    if _public_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
        ALLOWED_HOSTS.append(_public_host)
    if PUBLIC_URL not in CSRF_TRUSTED_ORIGINS:
        CSRF_TRUSTED_ORIGINS.append(PUBLIC_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "yanxiu.core",
    "yanxiu.accounts",
    "ninja",
    "yanxiu.org",
    "yanxiu.policy",
    "yanxiu.training",
    "yanxiu.needs",
    "yanxiu.attendance",
    "yanxiu.credits",
    "yanxiu.archive",
    "yanxiu.growth",
    "yanxiu.routine",
    "yanxiu.notify",
    "yanxiu.reports",
    "yanxiu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yanxiu.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yanxiu.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "yanxiu.core.middleware.HtmxFullPageRedirectMiddleware",
    "yanxiu.core.middleware.ConflictMiddleware",
    "yanxiu.core.upload_limits.UploadLimitMiddleware",  # before CSRF, the first to read a POST
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "yanxiu.accounts.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yanxiu.urls"
WSGI_APPLICATION = "yanxiu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yanxiu.org.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DEFAULT_SQLITE_PATH = VAR_DIR / "yanxiu.sqlite3"
DATABASE_URL = env_str("YANXIU_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
DATABASE_IS_SQLITE = _db["ENGINE"] == "django.db.backends.sqlite3"
if DATABASE_IS_SQLITE:
    # WAL lets readers run beside the single writer; IMMEDIATE transactions take
    # the write lock up front so that two writers queue instead of failing with
    # "database is locked" half-way through a transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=30000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
else:
    _db["CONN_MAX_AGE"] = env_int("YANXIU_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "yanxiu.accounts.backends.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "yanxiu.accounts.backends.YanxiuBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes + accounts/throttle.py): LOGIN_MAX_FAILURES failures
# of one login from one client address lock that pair for LOGIN_LOCKOUT_MINUTES;
# LOGIN_MAX_FAILURES_PER_ADDRESS failures over all logins lock the address; above
# LOGIN_SITE_FAILURES_PER_MINUTE failures site-wide, addresses that just failed wait.
LOGIN_MAX_FAILURES = env_int("YANXIU_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("YANXIU_LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("YANXIU_LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
LOGIN_SITE_FAILURES_PER_MINUTE = env_int("YANXIU_LOGIN_SITE_FAILURES_PER_MINUTE", 60)
# Behind a reverse proxy: the header it writes the client address into (e.g. X-Forwarded-For)
# and how many proxies append to it. Unset: REMOTE_ADDR.
LOGIN_CLIENT_IP_HEADER = env_str("YANXIU_CLIENT_IP_HEADER")
LOGIN_PROXY_COUNT = max(1, env_int("YANXIU_PROXY_COUNT", 1))
# One-time passwords on the printed login slips expire after this many days.
INITIAL_PASSWORD_DAYS = env_int("YANXIU_INITIAL_PASSWORD_DAYS", 14)
AXES_FAILURE_LIMIT = "yanxiu.accounts.throttle.failure_limit"  # LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = "yanxiu.accounts.throttle.cool_off"  # LOGIN_LOCKOUT_MINUTES
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "yanxiu.accounts.throttle.client_ip"
AXES_USERNAME_CALLABLE = "yanxiu.accounts.throttle.axes_username"
AXES_LOCKOUT_CALLABLE = "yanxiu.accounts.throttle.lockout_response"
AXES_VERBOSE = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = env_bool("YANXIU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- I18n -----------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("YANXIU_TIME_ZONE") or "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Upload limits are enforced while the body streams (core/upload_limits.py): the
# importers take YANXIU_IMPORT_MAX_MB (20), every other form YANXIU_MAX_UPLOAD_MB
# (default: the largest file a form accepts, a session video).
FILE_UPLOAD_HANDLERS = [
    "yanxiu.core.upload_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# None: the largest of the per-form limits below.
YANXIU_MAX_UPLOAD_MB = env_int("YANXIU_MAX_UPLOAD_MB", 0) or None
YANXIU_MAX_EVIDENCE_MB = env_int("YANXIU_MAX_EVIDENCE_MB", 10)  # sick notes, certificate scans
YANXIU_MAX_MATERIAL_MB = env_int("YANXIU_MAX_MATERIAL_MB", 50)  # session materials other than video
YANXIU_MAX_MATERIAL_VIDEO_MB = env_int("YANXIU_MAX_MATERIAL_VIDEO_MB", 200)
# Spreadsheet imports (core/sheets.py): the file, and what reading it may cost.
YANXIU_IMPORT_MAX_MB = env_int("YANXIU_IMPORT_MAX_MB", 20)
YANXIU_IMPORT_MAX_ROWS = env_int("YANXIU_IMPORT_MAX_ROWS", 60_000)
YANXIU_IMPORT_MAX_COLUMNS = env_int("YANXIU_IMPORT_MAX_COLUMNS", 200)
YANXIU_IMPORT_MAX_CELLS = env_int("YANXIU_IMPORT_MAX_CELLS", 3_000_000)
YANXIU_IMPORT_MAX_UNCOMPRESSED_MB = env_int("YANXIU_IMPORT_MAX_UNCOMPRESSED_MB", 300)
YANXIU_IMPORT_MAX_RATIO = env_int("YANXIU_IMPORT_MAX_RATIO", 200)
# Uploads (sick notes, certificate scans, roster files) are personal data: owner-only on disk.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Credit ledger: HMAC key and signed heads (docs/credits.md) -----------
# The key is not in the database; unset, it is derived from SECRET_KEY. Changing it
# needs `yanxiu ledger_rekey --rotate`.
YANXIU_LEDGER_KEY = env_str("YANXIU_LEDGER_KEY")
YANXIU_LEDGER_HEAD_DIR = Path(os.environ.get("YANXIU_LEDGER_HEAD_DIR") or VAR_DIR / "ledger-heads").resolve()
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Tasks ----------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Jobs that run every day in the worker; each run queues the next (`yanxiu schedule_daily` starts them).
DAILY_TASKS = [
    "yanxiu.credits.tasks.write_ledger_head",
    "yanxiu.core.tasks.purge_pending_uploads",
    "yanxiu.credits.tasks.finalize_due_postings",
    "yanxiu.core.tasks.purge_old_jobs",
    "yanxiu.growth.tasks.recompute_tiers",
    # Not daily: the notify app's delivery pass queues itself every YANXIU_NOTIFY_PASS_SECONDS,
    # its reminder pass every YANXIU_REMINDER_PASS_SECONDS.
    "yanxiu.notify.tasks.send_messages",
    "yanxiu.notify.tasks.send_reminders",
]
# Long work as background jobs with a progress bar (core/jobs.py): results written here (0700, files 0600),
# removed after YANXIU_JOB_KEEP_DAYS; exports above YANXIU_EXPORT_INLINE_ROWS rows and zips or PDF batches
# above YANXIU_ZIP_INLINE_FILES files run as jobs instead of inside the request.
YANXIU_JOB_DIR = Path(os.environ.get("YANXIU_JOB_DIR") or VAR_DIR / "jobs").resolve()
YANXIU_JOB_KEEP_DAYS = env_int("YANXIU_JOB_KEEP_DAYS", 7)
YANXIU_EXPORT_INLINE_ROWS = env_int("YANXIU_EXPORT_INLINE_ROWS", 2000)
YANXIU_ZIP_INLINE_FILES = env_int("YANXIU_ZIP_INLINE_FILES", 20)
# Roster and result-list files larger than this are read, checked and written by a background job.
YANXIU_IMPORT_INLINE_KB = env_int("YANXIU_IMPORT_INLINE_KB", 256)

# --- Logging: never log personal data (ID numbers, phones) ---------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "yanxiu.core.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env_str("YANXIU_LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# --- Messages beyond the inbox (notify app) ---------------------------------

# E-mail goes out through this SMTP server; unset, e-mail deliveries are marked "not sent".
EMAIL_HOST = env_str("YANXIU_EMAIL_HOST")
EMAIL_PORT = env_int("YANXIU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("YANXIU_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("YANXIU_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("YANXIU_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("YANXIU_EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env_str("YANXIU_EMAIL_FROM") or "yanxiu@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
YANXIU_EMAIL_TIMEOUT = env_int("YANXIU_EMAIL_TIMEOUT", 10)
# Seconds a webhook POST may take; tries before a delivery is "failed"; the first retry's delay (doubling
# after each failure, at most 6 hours); how often the background pass runs.
YANXIU_WEBHOOK_TIMEOUT = env_int("YANXIU_WEBHOOK_TIMEOUT", 5)
# Webhooks to loopback, private, link-local, multicast or unspecified addresses are refused (at saving
# for a literal address, at sending for what the host resolves to) unless this is on.
YANXIU_WEBHOOK_ALLOW_PRIVATE = env_bool("YANXIU_WEBHOOK_ALLOW_PRIVATE")
YANXIU_NOTIFY_MAX_ATTEMPTS = env_int("YANXIU_NOTIFY_MAX_ATTEMPTS", 6)
YANXIU_NOTIFY_RETRY_SECONDS = env_int("YANXIU_NOTIFY_RETRY_SECONDS", 60)
YANXIU_NOTIFY_PASS_SECONDS = env_int("YANXIU_NOTIFY_PASS_SECONDS", 60)
YANXIU_REMINDER_PASS_SECONDS = env_int("YANXIU_REMINDER_PASS_SECONDS", 300)

# --- Sign-in, reflections and forms --------------------------------------

# The sign-in QR code changes every this many seconds (attendance/tokens.py).
YANXIU_SIGNIN_PERIOD_SECONDS = env_int("YANXIU_SIGNIN_PERIOD_SECONDS", 15)
# Sign-in opens this long before a session starts; sign-out closes this long after it ends.
YANXIU_SIGNIN_OPENS_MINUTES_BEFORE = env_int("YANXIU_SIGNIN_OPENS_MINUTES_BEFORE", 30)
YANXIU_SIGNOUT_CLOSES_MINUTES_AFTER = env_int("YANXIU_SIGNOUT_CLOSES_MINUTES_AFTER", 30)
# The shortest reflection a session's completion rule accepts by default.
YANXIU_REFLECTION_MIN_CHARS = env_int("YANXIU_REFLECTION_MIN_CHARS", 200)
# Behind a proxy that writes X-Forwarded-For: the sign-in record keeps its first address.
YANXIU_TRUST_X_FORWARDED_FOR = env_bool("YANXIU_TRUST_X_FORWARDED_FOR")
# Years accepted in forms and URLs: YANXIU_YEAR_MIN .. this year + YANXIU_YEAR_AHEAD.
YANXIU_YEAR_MIN = env_int("YANXIU_YEAR_MIN", 2000)
YANXIU_YEAR_AHEAD = env_int("YANXIU_YEAR_AHEAD", 5)
# Reference endpoints for bench/signin_burst.py; never on in production.
YANXIU_BENCH_ENDPOINTS = env_bool("YANXIU_BENCH_ENDPOINTS")
