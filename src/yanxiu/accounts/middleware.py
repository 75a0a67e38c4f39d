from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class ForcePasswordChangeMiddleware:
    """Sends a user who still has to choose a password to the change form.

    Pages that stay reachable are named by URL name, not by path, so they
    follow the URLconf wherever it mounts them: the password form itself,
    logging in and out, switching language, and the public certificate check.
    Static files are served before the URLconf (WhiteNoise) and never reach here.
    """

    EXEMPT_URL_NAMES = frozenset(
        {"accounts:password_change", "accounts:login", "accounts:logout", "set_language", "credits:verify",
         "credits:verify_form"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.EXEMPT_URL_NAMES:
            return None
        if match is not None and match.namespace.split(":")[0] == "api":
            return JsonResponse({"detail": "请先设置自己的密码"}, status=403)
        return redirect(f"{reverse('accounts:password_change')}?{urlencode({'next': request.get_full_path()})}")
