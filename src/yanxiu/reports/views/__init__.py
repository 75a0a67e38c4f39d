from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import params
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.credits.selectors import current_school_year
from yanxiu.org.scopes import require, scope_of

from .. import dashboard, selectors, todo


@login_required
def home(request):
    scope = scope_of(request.user)
    upcoming, today = dashboard.teacher_sessions(request.user, scope)
    presenting, presented = dashboard.presented_sessions(request.user, scope)
    context = {"scope": scope, "upcoming": upcoming, "today": today, "cards": dashboard.admin_cards(request.user, scope) + dashboard.credit_cards(request.user, scope)
               + dashboard.growth_cards(request.user, scope), "growth": dashboard.growth_mine(scope),
               "todo": todo.todo_for(request.user, scope), "presenting": presenting, "presented": presented,
               "presented_groups": [(_("即将开展"), presenting), (_("已结束"), presented)]}
    return render(request, "reports/home.html", context)


def _sharing_text(row) -> str:
    if row.shared_in is None:
        return _("未安排")
    return f"{row.shared_in.title}（{timezone.localtime(row.shared_in.starts_at):%Y-%m-%d}）"


class FollowupListView(ScopedListView):
    """返校"三个一": who came back from upper-level training, and whether they have shared it at school."""

    template_name = "reports/followups.html"
    page_title = gettext_lazy("返校“三个一”跟踪")
    empty_message = gettext_lazy("本学年还没有教师参加上级培训的记录。")
    export_filename = gettext_lazy("返校三个一")
    export_fallback = "followups"
    columns = [
        Column("name", gettext_lazy("教师")),
        Column("school", gettext_lazy("学校")),
        Column("training", gettext_lazy("培训"), template="reports/_followup_training.html",
               export_value=lambda r: f"{r.level_label} {r.training}（{r.source}）"),
        Column("ended", gettext_lazy("结束日期"), value=lambda r: r.ended.strftime("%Y-%m-%d")),
        Column("shared_in", gettext_lazy("返校分享"), template="reports/_followup_shared.html", export_value=_sharing_text),
    ]

    def check_permission(self):
        scope = scope_of(self.request.user)
        require(bool(scope.superuser or scope.admin_schools or scope.region_counties), _("您没有权限访问此页面。"))

    def get_year(self) -> int:
        return params.year_param(self.request.GET) or current_school_year()

    def get_queryset(self):
        # A register computed in Python: the whole year's rows, paged and exported as they are.
        self.all_rows = selectors.followups_for(self.request.user, self.get_year())
        return self.all_rows

    def get_context_data(self, **kwargs):
        scope = scope_of(self.request.user)
        rows, year = self.all_rows, self.get_year()
        by_school: dict[str, list[int]] = {}
        for row in rows:
            done_total = by_school.setdefault(row.school, [0, 0])
            done_total[0] += row.shared_in is not None
            done_total[1] += 1
        return {
            **kwargs, "year": year, "years": range(year - 3, year + 2), "total": len(rows),
            "missing": sum(1 for r in rows if r.shared_in is None),
            "by_school": sorted(by_school.items(), key=lambda kv: kv[1][0] - kv[1][1]) if scope.region_counties or scope.superuser else [],
        }
