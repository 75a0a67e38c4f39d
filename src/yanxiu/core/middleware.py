import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .views import conflict

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a
    school computer set up in English would show English pages to everyone;
    here only the explicit choice (the language cookie) counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Every response says where its scripts, styles, images and frames may come from.

    Everything is vendored, so ``'self'`` holds: no inline script or event handler
    (page behaviours are data attributes read by static/yanxiu/behaviours.js), no
    inline <style> element. Style *attributes* stay allowed (``style-src-attr``) for
    what the vendored ECharts writes into its tooltips. ``data:`` images for the QR
    codes and Bootstrap's icons. A response that set its own policy (uploads served
    with ``sandbox``) keeps it.
    """

    POLICY = "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        return response


class HtmxFullPageRedirectMiddleware:
    """An htmx request sent to the login or password page navigates the whole window there.

    htmx follows a redirect inside its request and would swap the login page (a session that
    ran out) or the password form (a user who must still choose one) into whatever fragment
    asked: the navbar's unread count, a table's next page, a polled job status. For such a
    request the redirect becomes ``HX-Redirect``, which htmx answers by loading the page itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = response.get("Location", "")
        if urlsplit(location).path not in self._full_page_paths():
            return response
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = location
        return redirect

    @staticmethod
    def _full_page_paths() -> frozenset[str]:
        return frozenset({resolve_url(settings.LOGIN_URL), reverse("accounts:password_change")})


class ConflictMiddleware:
    """A write the database refused as it landed answers 409 with a way forward, not 500.

    Services read, check and then write inside one transaction; two people (or two windows)
    saving the first row of the same key at the same moment both pass the read, and the
    database's unique constraint stops the second. Its transaction has rolled back by the time
    the exception gets here, so nothing of it was written: the page says so and asks to reload.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        match = getattr(request, "resolver_match", None)
        logger.warning("write refused by the database (%s) in %s", type(exception.__cause__ or exception).__name__,
                       match.view_name if match else "?")
        return conflict(request)
