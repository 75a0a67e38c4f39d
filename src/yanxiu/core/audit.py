"""Writing audit rows. Called only from service functions."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

#: The Chinese label shown for each action code on history pages. Every code a
#: service writes has an entry here (tests/core/test_action_labels.py checks it).
ACTION_LABELS: dict[str, str] = {
    "account.initial_password_issue": _("发放初始密码"),
    "account.otp_used": _("使用一次性登录码"),
    "account.password_reset": _("重置密码"),
    "account.password_set": _("设置密码"),
    "account.unlock": _("解锁账号"),
    "activity.credit": _("登记活动学时"),
    "attendance.mark": _("登记考勤"),
    "attendance.sign_in": _("签到"),
    "attendance.sign_out": _("签退"),
    "certificate.issue": _("颁发证书"),
    "certificate.revoke": _("撤销证书"),
    "claim.reject": _("驳回学时申报"),
    "claim.submit": _("提交学时申报"),
    "claim.verify": _("核实学时申报"),
    "cluster.create": _("新建片区"),
    "cluster.update": _("修改片区"),
    "credit.import": _("导入培训结果"),
    "credit.ledger_rekey": _("计算台账密钥校验码"),
    "credit.record": _("登记学时"),
    "credit.reverse": _("冲销学时"),
    "credit.session": _("按活动登记学时"),
    "employment.start": _("入职"),
    "employment.transfer": _("调动"),
    "employment.update": _("修改任职信息"),
    "group.create": _("新建教研组"),
    "group.update": _("修改教研组"),
    "material.add": _("上传资料"),
    "material.remove": _("删除资料"),
    "needs.respond": _("填写需求调研"),
    "needs.respond.update": _("修改需求调研答卷"),
    "needs.survey.close": _("结束需求调研"),
    "needs.survey.create": _("发起需求调研"),
    "objection.file": _("提出异议"),
    "objection.resolve": _("处理异议"),
    "person.update": _("修改个人档案"),
    "policy.preset": _("采用政策预设"),
    "policy.save": _("保存学时政策"),
    "posting.create": _("发布公示"),
    "posting.finalize": _("公示结束"),
    "reflection.accept": _("通过反思"),
    "reflection.return": _("退回反思"),
    "reflection.rule_set": _("设置反思要求"),
    "reflection.submit": _("提交反思"),
    "role.appoint": _("任命角色"),
    "role.revoke": _("撤销角色"),
    "roster.import": _("导入花名册"),
    "school.create": _("新建学校"),
    "school.update": _("修改学校信息"),
    "transcript.issue": _("出具学时证明"),
    "training.calendar.reset": _("重置日历订阅地址"),
    "training.category.create": _("新建内容类别"),
    "training.category.update": _("修改内容类别"),
    "training.enrollment.self": _("报名"),
    "training.enrollment.withdraw": _("取消报名"),
    "training.evaluation.submit": _("提交评价"),
    "training.leave.cancel": _("撤回请假"),
    "training.leave.request": _("申请请假"),
    "training.leave.school_approve": _("学校批准请假"),
    "training.leave.school_reject": _("学校不批准请假"),
    "training.leave.bureau_approve": _("教育局批准请假"),
    "training.leave.bureau_reject": _("教育局不批准请假"),
    "training.plan.create": _("新建培训计划"),
    "training.plan.update": _("修改培训计划"),
    "training.project.approve": _("批准项目"),
    "training.project.create": _("新建项目"),
    "training.project.return": _("退回项目"),
    "training.project.submit": _("提交项目"),
    "training.project.update": _("修改项目"),
    "training.quota.allocate": _("分配名额"),
    "training.quota.name": _("报送参训人员"),
    "training.quota.submit": _("提交参训名单"),
    "training.quota.unname": _("撤下参训人员"),
    "training.quota.update": _("修改名额"),
    "training.session.cancel": _("取消活动"),
    "training.session.create": _("新建活动"),
    "training.session.create_recurring": _("批量新建活动"),
    "training.session.invite": _("邀请参训"),
    "training.session.publish": _("发布活动"),
    "training.session.update": _("修改活动"),
    "training.swap.approve": _("批准换人"),
    "training.swap.reject": _("不批准换人"),
    "training.swap.request": _("申请换人"),
}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code reads as "其他操作", never as the code."""
    return str(ACTION_LABELS.get(code, _("其他操作")))


def record(*, actor, action: str, target: models.Model, **detail: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        detail=detail,
    )
