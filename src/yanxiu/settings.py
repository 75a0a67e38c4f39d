"""Django settings for Yanxiu.

Everything that differs between machines comes from environment variables:

- ``YANXIU_DATABASE_URL``: database URL (default: embedded SQLite at
  ``var/yanxiu.sqlite3``).
- ``YANXIU_DEBUG``: ``1`` turns on debug mode (off by default).
- ``YANXIU_SECRET_KEY``: overrides the key generated on first run and kept in
  ``var/secret_key``.
- ``YANXIU_ALLOWED_HOSTS``: comma-separated host names (default: all local).
- ``YANXIU_PUBLIC_URL``: the address phones use (``http://192.168.1.20:8000``);
  its host is allowed, its origin trusted for CSRF, and QR codes point to it.
- ``YANXIU_VAR_DIR``: where the database, secret key and uploads live.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YANXIU_VAR_DIR", BASE_DIR / "var")).resolve()
# Database, secret key, uploads and backups: readable by the service's user only.
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Return the secret key, generating it once and keeping it under var/."""
    if os.environ.get("YANXIU_SECRET_KEY"):
        return os.environ["YANXIU_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _public_url() -> str:
    """The address phones and printed QR codes use, e.g. ``http://192.168.1.20:8000``."""
    value = os.environ.get("YANXIU_PUBLIC_URL", "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value if "://" in value else f"http://{value}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"YANXIU_PUBLIC_URL must look like http://192.168.1.20:8000, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


SECRET_KEY = _secret_key()
DEBUG = _env_bool("YANXIU_DEBUG")
# Allowed hosts, CSRF origins and the QR codes for sign-in and certificates all
# follow YANXIU_PUBLIC_URL (see core/public_url.py).
PUBLIC_URL = _public_url()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("YANXIU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("YANXIU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
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
DATABASE_URL = os.environ.get("YANXIU_DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
if _db["ENGINE"] == "django.db.backends.sqlite3":
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
    _db["TEST"] = {"NAME": os.environ.get("YANXIU_TEST_SQLITE_NAME") or None}
else:
    _db["CONN_MAX_AGE"] = int(os.environ.get("YANXIU_CONN_MAX_AGE", "60"))
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
LOGIN_MAX_FAILURES = int(os.environ.get("YANXIU_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("YANXIU_LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("YANXIU_LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
LOGIN_SITE_FAILURES_PER_MINUTE = int(os.environ.get("YANXIU_LOGIN_SITE_FAILURES_PER_MINUTE", "60"))
# Behind a reverse proxy: the header it writes the client address into (e.g. X-Forwarded-For)
# and how many proxies append to it. Unset: REMOTE_ADDR.
LOGIN_CLIENT_IP_HEADER = os.environ.get("YANXIU_CLIENT_IP_HEADER", "").strip()
LOGIN_PROXY_COUNT = max(1, int(os.environ.get("YANXIU_PROXY_COUNT", "1")))
# One-time passwords on the printed login slips expire after this many days.
INITIAL_PASSWORD_DAYS = int(os.environ.get("YANXIU_INITIAL_PASSWORD_DAYS", "14"))
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
SESSION_COOKIE_SECURE = _env_bool("YANXIU_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- I18n -----------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("YANXIU_TIME_ZONE", "Asia/Shanghai")
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
            if DEBUG or _env_bool("YANXIU_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or _env_bool("YANXIU_TESTING")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Upload limits are enforced while the body streams (core/upload_limits.py): the
# importers take YANXIU_IMPORT_MAX_MB (20), every other form YANXIU_MAX_UPLOAD_MB
# (default: the largest file a form accepts, a session video).
FILE_UPLOAD_HANDLERS = [
    "yanxiu.core.upload_limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
if os.environ.get("YANXIU_MAX_UPLOAD_MB"):
    YANXIU_MAX_UPLOAD_MB = int(os.environ["YANXIU_MAX_UPLOAD_MB"])
if os.environ.get("YANXIU_IMPORT_MAX_MB"):
    YANXIU_IMPORT_MAX_MB = int(os.environ["YANXIU_IMPORT_MAX_MB"])
# Uploads (sick notes, certificate scans, roster files) are personal data: owner-only on disk.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- Credit ledger: HMAC key and signed heads (docs/credits.md) -----------
# The key is not in the database; unset, it is derived from SECRET_KEY. Changing it
# needs `yanxiu ledger_rekey --rotate`.
YANXIU_LEDGER_KEY = os.environ.get("YANXIU_LEDGER_KEY", "")
YANXIU_LEDGER_HEAD_DIR = Path(os.environ.get("YANXIU_LEDGER_HEAD_DIR", VAR_DIR / "ledger-heads")).resolve()
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Tasks ----------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Jobs that run every day in the worker; each run queues the next (`yanxiu schedule_daily` starts them).
DAILY_TASKS = [
    "yanxiu.credits.tasks.write_ledger_head",
    "yanxiu.core.tasks.purge_pending_uploads",
    "yanxiu.credits.tasks.finalize_due_postings",
]

# --- Logging: never log personal data (ID numbers, phones) ---------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "yanxiu.core.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("YANXIU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

if _env_bool("YANXIU_TESTING"):
    # Tests create hundreds of accounts; a slow hasher would dominate the run.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
