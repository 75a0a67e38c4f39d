from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from yanxiu.accounts.scopes import scope_of


@login_required
def home(request):
    return render(request, "core/home.html", {"scope": scope_of(request.user)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
