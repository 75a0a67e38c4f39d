"""The REST API: one NinjaAPI, a router per app, OpenAPI served offline.

Routers are registered by dotted path so that each app owns its endpoints
in ``<app>/api.py``.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Yanxiu API",
    version="1",
    description="研修：校本研修与继续教育管理系统接口",
    auth=django_auth,
    urls_namespace="api",
)

ROUTERS = {
    "/credits/": "yanxiu.credits.api.router",
    "/attendance/": "yanxiu.attendance.api.router",
    "/org/": "yanxiu.org.api.router",
    "/training/": "yanxiu.training.api.router",
    "/archive/": "yanxiu.archive.api.router",
}
for prefix, dotted in ROUTERS.items():
    api.add_router(prefix, dotted)
