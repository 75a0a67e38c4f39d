"""The catalogue of audited actions: every action a service records, with its label.

Each member of :class:`Event` is one kind of audit row. Its value is the
``action`` string stored in :class:`~yanxiu.core.models.AuditEvent` (history
pages, tests and some selectors filter on these strings, so a value never
changes once rows carry it); its label is the Chinese text history pages show.

Services name an event by member (``audit.record(event=Event.CLAIM_VERIFY, ...)``);
:func:`yanxiu.core.audit.record` refuses anything that is not in this catalogue,
and ``tests/core/test_action_labels.py`` checks that every call in the sources
names a member. A new kind of action is one new line here.

Codes written only by data migrations (``account.renamed``,
``person.phone_cleared``) are listed too, so their rows read by label.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnknownEvent(ValueError):
    """An action code that is not in the catalogue."""


class Event(models.TextChoices):
    """Every audited action: ``CODE = "stored.action", _("中文标签")``."""

    # account
    ACCOUNT_INITIAL_PASSWORD_ISSUE = "account.initial_password_issue", _("发放初始密码")
    ACCOUNT_OTP_USED = "account.otp_used", _("使用一次性登录码")
    ACCOUNT_PASSWORD_RESET = "account.password_reset", _("重置密码")
    ACCOUNT_PASSWORD_SET = "account.password_set", _("设置密码")
    ACCOUNT_RENAMED = "account.renamed", _("账号改用随机用户名")
    ACCOUNT_UNLOCK = "account.unlock", _("解锁账号")
    # activity
    ACTIVITY_CREDIT = "activity.credit", _("登记活动学时")
    # attendance
    ATTENDANCE_MARK = "attendance.mark", _("登记考勤")
    ATTENDANCE_SIGN_IN = "attendance.sign_in", _("签到")
    ATTENDANCE_SIGN_OUT = "attendance.sign_out", _("签退")
    # certificate
    CERTIFICATE_ISSUE = "certificate.issue", _("颁发证书")
    CERTIFICATE_REVOKE = "certificate.revoke", _("撤销证书")
    # claim
    CLAIM_REJECT = "claim.reject", _("驳回学时申报")
    CLAIM_SUBMIT = "claim.submit", _("提交学时申报")
    CLAIM_VERIFY = "claim.verify", _("核实学时申报")
    # cluster
    CLUSTER_CREATE = "cluster.create", _("新建片区")
    CLUSTER_UPDATE = "cluster.update", _("修改片区")
    # credit
    CREDIT_IMPORT = "credit.import", _("导入培训结果")
    CREDIT_LEDGER_REKEY = "credit.ledger_rekey", _("计算台账密钥校验码")
    CREDIT_RECORD = "credit.record", _("登记学时")
    CREDIT_REVERSE = "credit.reverse", _("冲销学时")
    CREDIT_SESSION = "credit.session", _("按活动登记学时")
    # employment
    EMPLOYMENT_START = "employment.start", _("入职")
    EMPLOYMENT_TRANSFER = "employment.transfer", _("调动")
    EMPLOYMENT_UPDATE = "employment.update", _("修改任职信息")
    # group
    GROUP_CREATE = "group.create", _("新建教研组")
    GROUP_UPDATE = "group.update", _("修改教研组")
    # growth
    GROWTH_TERMS_SET = "growth.terms_set", _("设置学期日期")
    GROWTH_TIER_RULE_SET = "growth.tier_rule_set", _("设置梯队划分规则")
    GROWTH_TIER_ASSIGN = "growth.tier_assign", _("指定梯队")
    GROWTH_TIERS_RECOMPUTE = "growth.tiers_recompute", _("按规则重新划分梯队")
    GROWTH_TITLE_ADD = "growth.title_add", _("登记评选称号")
    GROWTH_TITLE_REVIEW = "growth.title_review", _("称号年度考核")
    GROWTH_TEMPLATE_ADOPT = "growth.template_adopt", _("采用任务模板")
    GROWTH_TEMPLATE_CREATE = "growth.template_create", _("新建任务模板")
    GROWTH_TEMPLATE_EDIT = "growth.template_edit", _("修订任务模板")
    GROWTH_TEMPLATE_RETIRE = "growth.template_retire", _("停用任务模板")
    GROWTH_RECORD_SUBMIT = "growth.record_submit", _("填报成长记录")
    GROWTH_RECORD_ACCEPT = "growth.record_accept", _("通过成长记录")
    GROWTH_RECORD_RETURN = "growth.record_return", _("退回成长记录")
    GROWTH_RECORD_IMPORT = "growth.record_import", _("导入成长记录")
    GROWTH_MENTOR_PAIR_CREATE = "growth.mentor_pair_create", _("建立师徒结对")
    GROWTH_MENTOR_PAIR_CANCEL = "growth.mentor_pair_cancel", _("解除师徒结对")
    GROWTH_MENTOR_ACTIVITY_LOG = "growth.mentor_activity_log", _("记录结对活动")
    GROWTH_MENTOR_ACTIVITY_CONFIRM = "growth.mentor_activity_confirm", _("确认结对活动")
    GROWTH_MENTOR_SUMMARY = "growth.mentor_summary", _("提交结对总结")
    GROWTH_MENTOR_ASSESS = "growth.mentor_assess", _("考核师徒结对")
    GROWTH_PLAN_SUBMIT = "growth.plan_submit", _("提交发展规划")
    GROWTH_PLAN_REVIEW = "growth.plan_review", _("审核发展规划")
    GROWTH_GOAL_SUBMIT = "growth.goal_submit", _("提交学期目标")
    GROWTH_GOAL_REVIEW = "growth.goal_review", _("审核学期目标")
    GROWTH_YEAR_REVIEW = "growth.year_review", _("填写年度评价")
    GROWTH_YEAR_SIGN_OFF = "growth.year_sign_off", _("签署成长记录袋")
    # material
    MATERIAL_ADD = "material.add", _("上传资料")
    MATERIAL_REMOVE = "material.remove", _("删除资料")
    # needs
    NEEDS_RESPOND = "needs.respond", _("填写需求调研")
    NEEDS_RESPOND_UPDATE = "needs.respond.update", _("修改需求调研答卷")
    NEEDS_SURVEY_CLOSE = "needs.survey.close", _("结束需求调研")
    NEEDS_SURVEY_CREATE = "needs.survey.create", _("发起需求调研")
    # notify
    NOTIFY_CHANNEL_SAVE = "notify.channel_save", _("保存推送渠道")
    NOTIFY_CHANNEL_DELETE = "notify.channel_delete", _("删除推送渠道")
    NOTIFY_DELIVERY_RETRY = "notify.delivery_retry", _("重新发送消息")
    NOTIFY_NOTICE_SEND = "notify.notice_send", _("发送通知")
    NOTIFY_NOTICE_REMIND = "notify.notice_remind", _("提醒未阅读通知的人")
    NOTIFY_REMINDER_RULE_SAVE = "notify.reminder_rule_save", _("修改提醒规则")
    NOTIFY_REMINDER_RULE_RESET = "notify.reminder_rule_reset", _("恢复默认提醒规则")
    # objection
    OBJECTION_FILE = "objection.file", _("提出异议")
    OBJECTION_RESOLVE = "objection.resolve", _("处理异议")
    # person
    PERSON_PHONE_CLEARED = "person.phone_cleared", _("清除重复手机号")
    PERSON_UPDATE = "person.update", _("修改个人档案")
    # policy
    POLICY_PRESET = "policy.preset", _("采用政策预设")
    POLICY_SAVE = "policy.save", _("保存学时政策")
    # posting
    POSTING_CREATE = "posting.create", _("发布公示")
    POSTING_FINALIZE = "posting.finalize", _("公示结束")
    # questionnaire
    QUESTIONNAIRE_CLOSE = "questionnaire.close", _("结束问卷")
    QUESTIONNAIRE_CREATE = "questionnaire.create", _("新建问卷")
    QUESTIONNAIRE_PUBLISH = "questionnaire.publish", _("发布问卷")
    QUESTIONNAIRE_QUESTION = "questionnaire.question", _("编辑问卷题目")
    QUESTIONNAIRE_REMIND = "questionnaire.remind", _("提醒填写问卷")
    QUESTIONNAIRE_RESPOND = "questionnaire.respond", _("填写问卷")
    QUESTIONNAIRE_RESPOND_UPDATE = "questionnaire.respond.update", _("修改问卷答卷")
    QUESTIONNAIRE_UPDATE = "questionnaire.update", _("修改问卷设置")
    # reflection
    REFLECTION_ACCEPT = "reflection.accept", _("通过反思")
    REFLECTION_RETURN = "reflection.return", _("退回反思")
    REFLECTION_RULE_SET = "reflection.rule_set", _("设置反思要求")
    REFLECTION_SUBMIT = "reflection.submit", _("提交反思")
    # report
    REPORT_SUMMARY_SAVE = "report.summary_save", _("保存年度工作总结")
    REPORT_SUMMARY_FILE = "report.summary_file", _("报送年度工作总结")
    REPORT_SUMMARY_REOPEN = "report.summary_reopen", _("退回年度工作总结")
    REPORT_DOCUMENT_SETTINGS = "report.document_settings", _("设置公文格式")
    REPORT_NOTICE_ISSUE = "report.notice_issue", _("印发通报")
    REPORT_SCORE_REVIEW = "report.score_review", _("评估学校")
    REPORT_EVALUATION_WEIGHTS = "report.evaluation_weights", _("设置评估细则分值")
    REPORT_PARTICIPANTS_EXPORT = "report.participants_export", _("导出上报参训名单")
    REPORT_INSPECTION_PACK = "report.inspection_pack", _("生成年检材料")
    # role
    ROLE_APPOINT = "role.appoint", _("任命角色")
    ROLE_REVOKE = "role.revoke", _("撤销角色")
    # roster
    ROSTER_IMPORT = "roster.import", _("导入花名册")
    # routine
    ROUTINE_CHECK_KIND_SET = "routine.check_kind_set", _("设置常规检查项目")
    ROUTINE_CHECK_RECORD = "routine.check_record", _("登记常规检查")
    ROUTINE_CHECK_FEEDBACK = "routine.check_feedback", _("反馈检查结果")
    ROUTINE_PREP_RECORD = "routine.prep_record", _("登记集体备课")
    ROUTINE_PREP_UPDATE = "routine.prep_update", _("修改集体备课")
    ROUTINE_SECOND_PREP = "routine.second_prep", _("提交二次备课")
    ROUTINE_TEACHING_SET = "routine.teaching_set", _("设置任课")
    ROUTINE_SCORES_IMPORT = "routine.scores_import", _("导入考试成绩")
    ROUTINE_QUALITY_SET = "routine.quality_set", _("设置质量监测标准")
    ROUTINE_STUDENT_FILE_OPEN = "routine.student_file_open", _("建立学困生档案")
    ROUTINE_STUDENT_NOTE = "routine.student_note", _("记录学困生辅导")
    ROUTINE_STUDENT_PLAN = "routine.student_plan", _("修改学困生辅导计划")
    ROUTINE_COMPETITION_CREATE = "routine.competition_create", _("创建教学竞赛")
    ROUTINE_COMPETITION_SETUP = "routine.competition_setup", _("设置教学竞赛")
    ROUTINE_ENTRY_ADD = "routine.entry_add", _("登记参赛")
    ROUTINE_SCORE = "routine.score", _("评委评分")
    ROUTINE_COMPETITION_PUBLISH = "routine.competition_publish", _("公布竞赛结果")
    ROUTINE_COMMENDATION = "routine.commendation", _("登记表彰或通报")
    # school
    SCHOOL_CREATE = "school.create", _("新建学校")
    SCHOOL_UPDATE = "school.update", _("修改学校信息")
    # training
    TRAINING_CALENDAR_RESET = "training.calendar.reset", _("重置日历订阅地址")
    TRAINING_CATEGORY_CREATE = "training.category.create", _("新建内容类别")
    TRAINING_CATEGORY_UPDATE = "training.category.update", _("修改内容类别")
    TRAINING_ENROLLMENT_SELF = "training.enrollment.self", _("报名")
    TRAINING_ENROLLMENT_WITHDRAW = "training.enrollment.withdraw", _("取消报名")
    TRAINING_EVALUATION_SUBMIT = "training.evaluation.submit", _("提交评价")
    TRAINING_LEAVE_BUREAU_APPROVE = "training.leave.bureau_approve", _("教育局批准请假")
    TRAINING_LEAVE_BUREAU_REJECT = "training.leave.bureau_reject", _("教育局不批准请假")
    TRAINING_LEAVE_CANCEL = "training.leave.cancel", _("撤回请假")
    TRAINING_LEAVE_REQUEST = "training.leave.request", _("申请请假")
    TRAINING_LEAVE_SCHOOL_APPROVE = "training.leave.school_approve", _("学校批准请假")
    TRAINING_LEAVE_SCHOOL_REJECT = "training.leave.school_reject", _("学校不批准请假")
    TRAINING_PLAN_CREATE = "training.plan.create", _("新建培训计划")
    TRAINING_PLAN_UPDATE = "training.plan.update", _("修改培训计划")
    TRAINING_PROJECT_APPROVE = "training.project.approve", _("批准项目")
    TRAINING_PROJECT_CREATE = "training.project.create", _("新建项目")
    TRAINING_PROJECT_RETURN = "training.project.return", _("退回项目")
    TRAINING_PROJECT_SUBMIT = "training.project.submit", _("提交项目")
    TRAINING_PROJECT_UPDATE = "training.project.update", _("修改项目")
    TRAINING_QUOTA_ALLOCATE = "training.quota.allocate", _("分配名额")
    TRAINING_QUOTA_NAME = "training.quota.name", _("报送参训人员")
    TRAINING_QUOTA_SUBMIT = "training.quota.submit", _("提交参训名单")
    TRAINING_QUOTA_UNNAME = "training.quota.unname", _("撤下参训人员")
    TRAINING_QUOTA_UPDATE = "training.quota.update", _("修改名额")
    TRAINING_SESSION_CANCEL = "training.session.cancel", _("取消活动")
    TRAINING_SESSION_CREATE = "training.session.create", _("新建活动")
    TRAINING_SESSION_CREATE_RECURRING = "training.session.create_recurring", _("批量新建活动")
    TRAINING_SESSION_INVITE = "training.session.invite", _("邀请参训")
    TRAINING_SESSION_PUBLISH = "training.session.publish", _("发布活动")
    TRAINING_SESSION_UPDATE = "training.session.update", _("修改活动")
    TRAINING_SWAP_APPROVE = "training.swap.approve", _("批准换人")
    TRAINING_SWAP_REJECT = "training.swap.reject", _("不批准换人")
    TRAINING_SWAP_REQUEST = "training.swap.request", _("申请换人")
    # transcript
    TRANSCRIPT_ISSUE = "transcript.issue", _("出具学时证明")

#: Actions that concern no school or county: a user's own account, the ledger as a whole,
#: the built-in policy presets.
#: Every other event names the school or county it concerns when it is recorded
#: (``tests/core/test_action_labels.py`` checks each call passes one).
UNSCOPED: frozenset[Event] = frozenset(
    {
        Event.ACCOUNT_OTP_USED,
        Event.ACCOUNT_PASSWORD_RESET,
        Event.ACCOUNT_PASSWORD_SET,
        Event.ACCOUNT_RENAMED,
        Event.ACCOUNT_UNLOCK,
        Event.CREDIT_LEDGER_REKEY,
        Event.PERSON_PHONE_CLEARED,
        Event.POLICY_PRESET,
        Event.TRAINING_CALENDAR_RESET,
    }
)


#: Codes no service writes (any more): rows from data migrations and earlier versions
#: still carry them, so they keep their labels. A retired code is never reused.
RETIRED: frozenset[Event] = frozenset(
    {
        Event.ACCOUNT_PASSWORD_RESET,
        Event.ACCOUNT_RENAMED,
        Event.ACCOUNT_UNLOCK,
        Event.PERSON_PHONE_CLEARED,
    }
)


def resolve(event: Event | str) -> Event:
    """The catalogue member for ``event`` (a member or its stored code); :class:`UnknownEvent` otherwise."""
    if isinstance(event, Event):
        return event
    try:
        return Event(event)
    except ValueError:
        raise UnknownEvent(f"{event!r} is not an audited action; add it to yanxiu.core.events.Event") from None


def label_of(code: str) -> str:
    """The label of a stored action code; an unknown code reads as "其他操作", never as the code."""
    try:
        return str(Event(code).label)
    except ValueError:
        return str(_("其他操作"))
