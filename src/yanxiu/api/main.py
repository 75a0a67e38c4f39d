"""The REST API: one NinjaAPI, a router per app, OpenAPI served offline.

Routers are registered by dotted path so that each app owns its endpoints
in ``<app>/api.py``.
"""

import datetime as dt

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import django_auth


class LocalTimeEncoder(NinjaJSONEncoder):
    """Aware datetimes in the server's time zone with their offset: 2026-12-01T13:26:00+08:00."""

    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder


api = NinjaAPI(
    title="Yanxiu API",
    version="1",
    description="研修：校本研修与继续教育管理系统接口。时间均为北京时间并带时区偏移（例如 2026-12-01T13:26:00+08:00）。",
    auth=django_auth,
    urls_namespace="api",
    renderer=LocalTimeRenderer(),
)

CONFLICT_DETAIL = _("同一条记录刚被同时保存，这次操作没有保存，请重新读取后再试。")

ROUTERS = {
    "/credits/": "yanxiu.credits.api.router",
    "/attendance/": "yanxiu.attendance.api.router",
    "/org/": "yanxiu.org.api.router",
    "/training/": "yanxiu.training.api.router",
    "/archive/": "yanxiu.archive.api.router",
    "/growth/": "yanxiu.growth.api.router",
}


@api.exception_handler(IntegrityError)
def _conflict(request, exc):
    """A write the database refused as it landed (a concurrent first save of the same key): 409, nothing written."""
    return api.create_response(request, {"detail": str(CONFLICT_DETAIL)}, status=409)


for prefix, dotted in ROUTERS.items():
    api.add_router(prefix, dotted)
