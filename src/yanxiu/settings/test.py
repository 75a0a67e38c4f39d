"""The test suite (pytest, see pyproject.toml) and bench/.

Needs no environment variable: SQLite in memory unless ``YANXIU_DATABASE_URL``
names a PostgreSQL server (scripts/test.sh runs both), and ``YANXIU_TEST_SQLITE_NAME``
puts the SQLite test database in a file that several threads can share.
"""

from .base import *  # noqa: F403
from .base import DATABASE_IS_SQLITE, DATABASES, STORAGES, env_str

# Static files come from the source tree: no collectstatic before a test run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
# Tests create hundreds of accounts; a slow hasher would dominate the run.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASE_IS_SQLITE:
    DATABASES["default"]["TEST"] = {"NAME": env_str("YANXIU_TEST_SQLITE_NAME") or None}
# The webhook tests post to a receiver on 127.0.0.1.
YANXIU_WEBHOOK_ALLOW_PRIVATE = True
if not DATABASE_IS_SQLITE:
    # A runaway statement fails on its own: pytest-timeout ends the test, not the server's work,
    # and a query left running would hold its locks over every test after it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c statement_timeout=120000"
