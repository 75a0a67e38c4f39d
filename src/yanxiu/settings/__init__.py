"""Yanxiu's settings: ``base`` (common), ``production``, ``dev`` and ``test``.

Point ``DJANGO_SETTINGS_MODULE`` at one of the modules. ``yanxiu.settings`` itself,
the path of the single settings module of earlier versions, still works: it loads
the test settings when ``YANXIU_TESTING=1`` and the production settings otherwise.
Importing one of the modules never loads another through this file.
"""

import os

if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    if os.environ.get("YANXIU_TESTING", "").strip().lower() in {"1", "true", "yes", "on"}:
        from .test import *  # noqa: F403
    else:
        from .production import *  # noqa: F403
