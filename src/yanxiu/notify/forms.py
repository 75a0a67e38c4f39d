from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GROUP_KINDS, MessageKind

#: The body a 企业微信 group robot takes (钉钉's is the same with "msgtype": "text").
DEFAULT_BODY = json.dumps({"msgtype": "text", "text": {"content": "{title}\n{body}\n{url}"}}, ensure_ascii=False)


class PreferencesForm(forms.Form):
    """Per kind of message a box for e-mail, and for the kinds meant for the whole school (``GROUP_KINDS``)
    one for the work group: nothing personal is offered to a group chat."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in MessageKind:
            self.fields[f"{kind.value}__email"] = forms.BooleanField(label=_("邮件"), required=False)
            if kind in GROUP_KINDS:
                self.fields[f"{kind.value}__webhook"] = forms.BooleanField(label=_("工作群"), required=False)

    def rows(self):
        """(label, e-mail box, work-group box or None)."""
        return [(kind.label, self[f"{kind.value}__email"], self[f"{kind.value}__webhook"] if kind in GROUP_KINDS else None)
                for kind in MessageKind]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {kind.value: (data[f"{kind.value}__email"], bool(data.get(f"{kind.value}__webhook"))) for kind in MessageKind}

    @staticmethod
    def initial_from(prefs: dict[str, tuple[bool, bool]]) -> dict:
        initial = {}
        for kind, (email, webhook) in prefs.items():
            initial[f"{kind}__email"], initial[f"{kind}__webhook"] = email, webhook and kind in GROUP_KINDS
        return initial


class ChannelForm(forms.Form):
    owner = forms.ChoiceField(label=_("归属"), help_text=_("本校的工作群，或本区县的工作群。"))
    name = forms.CharField(label=_("名称"), max_length=60, help_text=_("例如：本校教师工作群机器人"))
    url = forms.CharField(label=_("推送地址"), max_length=500,
                          help_text=_("群机器人的 Webhook 地址，以 http:// 或 https:// 开头。"))
    body_template = forms.CharField(label=_("消息体模板（JSON）"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                                    initial=DEFAULT_BODY,
                                    help_text=_("可用占位符：{title} 标题、{body} 内容、{url} 链接、{school} 学校或区县。"))
    headers = forms.CharField(label=_("附加请求头"), required=False, max_length=6000, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("每行一个“名称: 值”，例如令牌；修改时留空表示保留原有设置。"))
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, owners=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = list(owners)


class StatusFilter(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import Delivery

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部状态")), *Delivery.Status.choices]


class NoticeForm(forms.Form):
    """A notice (通知): who sends it, to whom, whether a read receipt is asked for."""

    owner = forms.ChoiceField(label=_("发送单位"))
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label=_("发送对象"),
                                 help_text=_("学校可发给本校教师或指定教研组；区县可发给各校管理员或全体教师。"))
    groups = forms.MultipleChoiceField(label=_("教研组"), required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text=_("发送对象为“本校指定教研组”时勾选。"))
    requires_receipt = forms.BooleanField(label=_("需要回执"), required=False,
                                          help_text=_("收件人须点“已阅”确认；您可以查看谁已阅、谁未阅，并一键提醒未阅的人。"))

    def __init__(self, *args, owners=(), groups=(), audiences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = list(owners)
        self.fields["audience"].choices = list(audiences)
        self.fields["groups"].choices = [(str(pk), label) for pk, label in groups]
        if not groups:
            del self.fields["groups"]


class ReminderRuleForm(forms.Form):
    days = forms.IntegerField(label=_("天数"), min_value=0, max_value=60, initial=0)
    hours = forms.IntegerField(label=_("小时数"), min_value=0, max_value=23, initial=0)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            from .models import ReminderWhat

            self.fields = {"what": forms.ChoiceField(label=_("提醒事项"), choices=ReminderWhat.choices), **self.fields}
