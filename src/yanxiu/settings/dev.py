"""A developer's machine: ``DJANGO_SETTINGS_MODULE=yanxiu.settings.dev yanxiu runserver``.

Debug pages on (``YANXIU_DEBUG=0`` turns them off), static files served from the
source tree, and the generated secret key accepted on PostgreSQL too.
"""

from .base import *  # noqa: F403
from .base import STORAGES, env_bool

DEBUG = env_bool("YANXIU_DEBUG", default=True)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
