from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from yanxiu.org.scopes import scope_of
from yanxiu.core import params
from yanxiu.credits.selectors import current_school_year
from yanxiu.org.models import School

from . import dashboard, followup


@login_required
def home(request):
    scope = scope_of(request.user)
    upcoming, today = dashboard.teacher_sessions(request.user, scope)
    presenting, presented = dashboard.presented_sessions(request.user, scope)
    context = {"scope": scope, "upcoming": upcoming, "today": today, "cards": dashboard.admin_cards(request.user, scope) + dashboard.credit_cards(request.user, scope),
               "presenting": presenting, "presented": presented,
               "presented_groups": [(_("即将开展"), presenting), (_("已结束"), presented)]}
    return render(request, "reports/home.html", context)


@login_required
def followups(request):
    """返校"三个一": who came back from upper-level training, and whether they have shared it at school."""
    scope = scope_of(request.user)
    if not (scope.superuser or scope.admin_schools or scope.region_counties):
        raise PermissionDenied(_("您没有权限访问此页面。"))
    schools = School.objects.all() if scope.superuser else School.objects.filter(
        Q(county_id__in=scope.region_counties) | Q(pk__in=scope.admin_schools)
    )
    year = params.year_param(request.GET) or current_school_year()
    rows = followup.followups(schools, year)
    by_school: dict[str, list[int]] = {}
    for row in rows:
        done_total = by_school.setdefault(row.school, [0, 0])
        done_total[0] += row.shared_in is not None
        done_total[1] += 1
    context = {
        "rows": rows, "year": year, "years": range(year - 3, year + 2),
        "missing": sum(1 for r in rows if r.shared_in is None),
        "by_school": sorted(by_school.items(), key=lambda kv: kv[1][0] - kv[1][1]) if scope.region_counties or scope.superuser else [],
        "page_title": _("返校“三个一”跟踪"),
    }
    return render(request, "reports/followups.html", context)
