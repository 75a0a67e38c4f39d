"""Production: the web server (``yanxiu.wsgi``, gunicorn), the ``yanxiu`` command, scripts/serve.sh.

Debug pages stay off unless ``YANXIU_DEBUG=1``; cookies are secure with
``YANXIU_SECURE_COOKIES=1`` (base.py). On PostgreSQL the secret key must be given:
several web hosts each generating their own would sign sessions and sign-in
tokens the others reject. One host on SQLite may keep the generated one.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASE_IS_SQLITE, SECRET_KEY_GENERATED

if SECRET_KEY_GENERATED and not DATABASE_IS_SQLITE:
    raise ImproperlyConfigured(
        "使用 PostgreSQL（YANXIU_DATABASE_URL）时必须设置 YANXIU_SECRET_KEY，并在每台服务器上保持一致："
        "各自生成的密钥会让一台服务器签发的登录和签到凭据在另一台上失效。"
        "可用 `python3 -c \"import secrets; print(secrets.token_urlsafe(64))\"` 生成。\n"
        "With PostgreSQL (YANXIU_DATABASE_URL) set YANXIU_SECRET_KEY, identical on every web host: "
        "keys generated on each host would make sessions and sign-in tokens signed by one host invalid on another. "
        "Generate one with `python3 -c \"import secrets; print(secrets.token_urlsafe(64))\"`."
    )
