import logging
import re
from urllib.parse import urlsplit

from django.db import connection
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


# --- Error pages ------------------------------------------------------------------
#
# 403 and 404 render in the site's layout, with the reason the code gave (the
# Chinese message of PermissionDenied / Http404) and a way back. The 500 page
# is a static template rendered without the request: the database or a
# context processor may be what failed.

_DJANGO_404 = re.compile(r"^No .+ matches the given query\.?$|^Page not found|^The requested resource")


def _reason(exception) -> str:
    args = getattr(exception, "args", ())
    if not args or not isinstance(args[0], str):
        return ""
    reason = args[0].strip()
    return "" if _DJANGO_404.match(reason) else reason[:300]


def _back_url(request) -> str:
    """The referring page when it is on this site (never an outside address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        if urlsplit(referer).path != request.path:
            return referer
    return ""


def _error_page(request, template: str, status: int, reason: str):
    titles = {400: _("请求有误"), 404: _("页面不存在"), 409: _("操作冲突")}
    context = {"reason": reason, "back_url": _back_url(request), "page_title": titles.get(status, _("无权访问"))}
    try:
        return render(request, template, context, status=status)
    except Exception:  # the layout itself failed (database down): fall back to the static page
        logger.exception("error page %s could not be rendered in the layout", status)
        return server_error(request)


def bad_request(request, exception=None):
    """A 400 page; the reason is shown only for a parameter out of bounds (our own
    Chinese message), never for other suspicious requests."""
    from .params import BadParameter

    return _error_page(request, "400.html", 400, _reason(exception) if isinstance(exception, BadParameter) else "")


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403, _reason(exception))


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404, _reason(exception))


def conflict(request):
    """A 409 page for a write the database refused as it landed (core.middleware.ConflictMiddleware)."""
    return _error_page(request, "409.html", 409, "")


def server_error(request=None):
    try:
        css = static("vendor/bootstrap/bootstrap.min.css")
    except Exception:  # no manifest entry: the page stays readable unstyled
        css = ""
    html = loader.get_template("500.html").render({"css": css})
    return HttpResponseServerError(html)
