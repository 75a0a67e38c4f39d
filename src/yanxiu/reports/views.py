from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from yanxiu.accounts.scopes import scope_of

from . import dashboard


@login_required
def home(request):
    scope = scope_of(request.user)
    upcoming, today = dashboard.teacher_sessions(request.user, scope)
    context = {"scope": scope, "upcoming": upcoming, "today": today, "cards": dashboard.admin_cards(request.user, scope)}
    return render(request, "reports/home.html", context)
