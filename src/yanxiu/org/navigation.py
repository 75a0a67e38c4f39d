from django.urls import reverse
from django.utils.translation import gettext as _

from .scopes import scope_of


def navigation(request):
    """The menu a user sees follows their roles, grouped by area.

    ``nav_groups`` is a list of (group label, [(label, url), ...]); a group
    with one entry is shown as a plain link. ``nav_items`` is the same
    entries flattened, for the home page's shortcuts.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.must_change_password:
        return {"nav_items": [], "nav_groups": []}
    s = scope_of(user)
    region = s.superuser or bool(s.region_counties)
    admin = region or bool(s.admin_schools)

    mine = []
    if s.is_teacher:
        mine += [
            (_("我的培训"), reverse("training:my")),
            (_("我的考勤"), reverse("attendance:my")),
            (_("我的学时"), reverse("credits:mine")),
            (_("我的问卷"), reverse("needs:mine")),
            (_("我的档案"), reverse("org:my_profile")),
        ]

    people = _people_entries(s, region=region, admin=admin)

    training = []
    if admin or s.led_groups:
        training.append((_("培训项目"), reverse("training:project_list")))
    if admin:
        training.append((_("问卷调查"), reverse("needs:list")))
    if s.superuser or s.admin_schools:
        training.append((_("研修计划"), reverse("training:plan_list")))
    if s.superuser or s.centre_counties:
        training.append((_("项目审核"), reverse("training:review_list")))
    if s.superuser or s.bureau_counties or s.admin_schools:
        training += [(_("培训名额"), reverse("training:quota_list")), (_("请假审批"), reverse("training:leave_list"))]
    if admin or s.led_groups or s.presenter:
        training.append((_("考勤管理"), reverse("attendance:sessions")))
    if admin:
        training.append((_("缺训名单"), reverse("attendance:absences")))
        training.append((_("返校“三个一”"), reverse("reports:followups")))
    if s.admin_schools:
        training.append((_("资源库"), reverse("archive:school", args=[min(s.admin_schools)])))

    credits = []
    if admin:
        credits.append((_("学时管理"), reverse("credits:overview")))
    if s.is_teacher or admin:
        credits.append((_("学时公示"), reverse("credits:postings")))
    if region:
        credits.append((_("学时政策"), reverse("policy:list")))

    growth = _growth_entries(s)
    routine = _routine_entries(s, region=region)
    reports = _reports_entries(s, region=region)

    groups = [
        (_("首页"), [(_("首页"), reverse("reports:home"))]),
        (_("我的"), mine),
        (_("培训与考勤"), training),
        (_("学时"), credits),
        (_("成长"), growth),
        (_("教学常规"), routine),
        (_("统计与报表"), reports),
        (_("教师与学校"), people),
    ]
    groups = [(label, entries) for label, entries in groups if entries]
    items = [entry for _label, entries in groups for entry in entries]
    return {"nav_items": items, "nav_groups": groups, "nav_scope": s}


def _growth_entries(s) -> list[tuple[str, str]]:
    """The 成长 group: the teacher's own file, the school's reviews and set-up, progress for group leaders."""
    growth = []
    if s.is_teacher:
        growth += [
            (_("我的成长"), reverse("growth:my")),
            (_("成长记录袋"), reverse("growth:my_file")),
            (_("发展规划"), reverse("growth:plan")),
        ]
    if s.is_teacher or s.admin_schools:
        growth.append((_("师徒结对"), reverse("growth:mentor_list")))
    if s.admin_schools or s.led_groups:
        growth.append((_("任务完成情况"), reverse("growth:progress")))
    if s.admin_schools:
        growth += [
            (_("成长记录审核"), reverse("growth:review_list")),
            (_("规划与目标审核"), reverse("growth:plan_reviews")),
            (_("教师成长记录袋"), reverse("growth:school_files")),
            (_("成长记录导入"), reverse("growth:import")),
            (_("梯队与任务设置"), reverse("growth:setup")),
        ]
    return growth


def _routine_entries(s, *, region: bool) -> list[tuple[str, str]]:
    """The 教学常规 group: checks, collective preparation, quality monitoring, student files, competitions."""
    routine = []
    if s.is_teacher:
        routine += [(_("我的常规检查"), reverse("routine:my_checks")), (_("我的二次备课"), reverse("routine:my_preps"))]
    if s.admin_schools or region or s.led_groups:
        routine += [(_("教学常规检查"), reverse("routine:checks")), (_("集体备课"), reverse("routine:preps"))]
    if s.admin_schools or region:
        routine += [(_("常规检查统计"), reverse("routine:check_counts")), (_("质量监测"), reverse("routine:quality"))]
    if s.admin_schools:
        routine += [
            (_("考试成绩导入"), reverse("routine:scores_import")),
            (_("质量监测标准"), reverse("routine:quality_settings")),
            (_("任课安排"), reverse("routine:teaching")),
            (_("评优与通报"), reverse("routine:commendation_list")),
        ]
    if s.is_teacher or s.admin_schools or region:
        routine += [(_("学困生档案"), reverse("routine:student_files")), (_("教学竞赛"), reverse("routine:competition_list"))]
    return routine


def _reports_entries(s, *, region: bool) -> list[tuple[str, str]]:
    """The 统计与报表 group: dashboards, registers, notices, the year-end summary, upper-level lists, evaluation."""
    reports = []
    if s.is_teacher:
        reports += [(_("我的研修"), reverse("reports:dashboard_mine")), (_("我的台账"), reverse("reports:register_mine"))]
    if region:
        reports.append((_("全县统计看板"), reverse("reports:dashboard_bureau")))
    if s.admin_schools or s.led_groups:
        reports.append((_("学校统计看板"), reverse("reports:dashboard_school")))
    if region or s.admin_schools or s.led_groups:
        reports += [
            (_("学时台账"), reverse("reports:register_entries")),
            (_("教师学时汇总"), reverse("reports:register_school")),
            (_("培训台账"), reverse("reports:register_trainings")),
        ]
    if region or s.admin_schools:
        reports += [
            (_("预计不达标教师"), reverse("reports:at_risk")),
            (_("通报") if region else _("收到的通报"), reverse("reports:notice_list")),
            (_("年度工作总结") if s.admin_schools and not region else _("学校总结报送情况"),
             reverse("reports:summary") if s.admin_schools and not region else reverse("reports:summary_list")),
            (_("上级培训名单上报"), reverse("reports:upper_lists")),
            (_("年检材料"), reverse("reports:inspection")),
            (_("学校评估"), reverse("reports:evaluation_sheet")),
        ]
    if region:
        reports += [(_("印发通报"), reverse("reports:notice_new")), (_("公文格式"), reverse("reports:notice_settings"))]
    return reports


def _people_entries(s, *, region: bool, admin: bool) -> list[tuple[str, str]]:
    """The 教师与学校 group: staff, schools, clusters, the logs, and where messages go out."""
    people = []
    if admin or s.led_groups:
        people.append((_("教师名册"), reverse("org:staff_list")))
    if admin:
        people.append((_("学校"), reverse("org:school_list")))
    if region:
        people.append((_("片区"), reverse("org:cluster_list")))
    if s.superuser or s.bureau_counties or s.admin_schools:
        people.append((_("访问记录"), reverse("org:access_log")))
    if s.superuser or s.region_counties or s.admin_schools:
        people.append((_("操作记录"), reverse("org:audit_log")))
    if admin:
        people += [(_("发通知"), reverse("notify:notices")), (_("推送渠道"), reverse("notify:channels")),
                   (_("消息发送记录"), reverse("notify:deliveries"))]
    if region:
        people.append((_("提醒规则"), reverse("notify:reminder_rules")))
    return people
