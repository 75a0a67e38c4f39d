from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from yanxiu.accounts.scopes import scope_of


@login_required
def home(request):
    from . import dashboard

    scope = scope_of(request.user)
    upcoming, today = dashboard.teacher_sessions(request.user, scope)
    context = {"scope": scope, "upcoming": upcoming, "today": today, "cards": dashboard.admin_cards(request.user, scope)}
    return render(request, "core/home.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
