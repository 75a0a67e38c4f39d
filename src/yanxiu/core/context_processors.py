from django.urls import reverse
from django.utils.translation import gettext as _

from yanxiu.accounts.scopes import scope_of


def navigation(request):
    """The menu a user sees follows their roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.must_change_password:
        return {"nav_items": []}
    s = scope_of(user)
    items = [(_("首页"), reverse("reports:home"))]
    if s.is_teacher:
        items.append((_("我的档案"), reverse("org:my_profile")))
    if s.superuser or s.region_counties or s.admin_schools or s.led_groups:
        items.append((_("教师名册"), reverse("org:staff_list")))
    if s.superuser or s.region_counties or s.admin_schools:
        items.append((_("学校"), reverse("org:school_list")))
    if s.superuser or s.region_counties:
        items.append((_("片区"), reverse("org:cluster_list")))
    if s.superuser or s.bureau_counties or s.admin_schools:
        items.append((_("访问记录"), reverse("org:access_log")))
    # --- attendance -------------------------------------------------------
    if s.is_teacher:
        items.append((_("我的考勤"), reverse("attendance:my")))
    if s.superuser or s.region_counties or s.admin_schools or s.led_groups or s.presenter:
        items.append((_("考勤管理"), reverse("attendance:sessions")))
    if s.superuser or s.region_counties or s.admin_schools:
        items.append((_("缺训名单"), reverse("attendance:absences")))
    # --- end attendance ---------------------------------------------------
    # --- training ---------------------------------------------------------
    if s.is_teacher:
        items.append((_("我的培训"), reverse("training:my")))
    if s.superuser or s.region_counties or s.admin_schools:
        items.append((_("培训项目"), reverse("training:project_list")))
    if s.superuser or s.admin_schools:
        items.append((_("研修计划"), reverse("training:plan_list")))
    if s.superuser or s.centre_counties:
        items.append((_("项目审核"), reverse("training:review_list")))
    if s.superuser or s.bureau_counties or s.admin_schools:
        items.append((_("培训名额"), reverse("training:quota_list")))
        items.append((_("请假审批"), reverse("training:leave_list")))
    # --- end training -----------------------------------------------------
    # --- credits and policy -------------------------------------------------
    if s.is_teacher:
        items.append((_("我的学时"), reverse("credits:mine")))
    if s.superuser or s.region_counties or s.admin_schools:
        items.append((_("学时管理"), reverse("credits:overview")))
    if s.is_teacher or s.superuser or s.region_counties or s.admin_schools:
        items.append((_("学时公示"), reverse("credits:postings")))
    if s.superuser or s.region_counties:
        items.append((_("学时政策"), reverse("policy:list")))
    # --- end credits and policy -------------------------------------------
    return {"nav_items": items, "nav_scope": s}
