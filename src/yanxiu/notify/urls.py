from django.urls import path

from . import badge, views

app_name = "notify"
urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("unread/", badge.unread_badge, name="unread_badge"),
    path("<int:pk>/", views.message_detail, name="message"),
    path("<int:pk>/confirm/", views.MessageConfirmView.as_view(), name="message_confirm"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("channels/", views.ChannelListView.as_view(), name="channels"),
    path("channels/new/", views.ChannelCreateView.as_view(), name="channel_create"),
    path("channels/<int:pk>/", views.ChannelEditView.as_view(), name="channel_edit"),
    path("channels/<int:pk>/delete/", views.ChannelDeleteView.as_view(), name="channel_delete"),
    path("deliveries/", views.DeliveryLogView.as_view(), name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.DeliveryRetryView.as_view(), name="delivery_retry"),
    path("notices/", views.NoticeListView.as_view(), name="notices"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/remind/", views.NoticeRemindView.as_view(), name="notice_remind"),
    path("reminders/", views.reminder_rules, name="reminder_rules"),
    path("reminders/new/", views.ReminderRuleCreateView.as_view(), name="reminder_rule_create"),
    path("reminders/<int:pk>/", views.ReminderRuleEditView.as_view(), name="reminder_rule_edit"),
    path("reminders/<int:pk>/reset/", views.ReminderRuleResetView.as_view(), name="reminder_rule_reset"),
]
