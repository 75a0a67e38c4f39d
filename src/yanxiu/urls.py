from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from yanxiu.api.main import api

urlpatterns = [
    path("", include("yanxiu.reports.urls")),
    path("", include("yanxiu.core.urls")),
    path("accounts/", include("yanxiu.accounts.urls")),
    path("org/", include("yanxiu.org.urls")),
    path("training/", include("yanxiu.training.urls")),
    path("needs/", include("yanxiu.needs.urls")),
    path("attendance/", include("yanxiu.attendance.urls")),
    path("credits/", include("yanxiu.credits.urls")),
    path("archive/", include("yanxiu.archive.urls")),
    path("growth/", include("yanxiu.growth.urls")),
    path("routine/", include("yanxiu.routine.urls")),
    path("notify/", include("yanxiu.notify.urls")),
    path("policy/", include("yanxiu.credits.policy_urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

handler400 = "yanxiu.core.views.bad_request"
handler403 = "yanxiu.core.views.permission_denied"
handler404 = "yanxiu.core.views.page_not_found"
handler500 = "yanxiu.core.views.server_error"

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
