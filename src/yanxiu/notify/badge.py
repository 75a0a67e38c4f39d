"""The unread count of the navigation bar, loaded by the page after it renders (htmx ``hx-trigger="load"``).

Every page shows the inbox link; the count is its own small request, so no page pays a query for it and
a page's query budget (the growth record's 15) stays its own. Without JavaScript the link is there, the
number is not.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import selectors


@never_cache
@require_GET
@login_required
def unread_badge(request):
    return render(request, "notify/_unread_badge.html", {"unread": selectors.unread_count(request.user)})
