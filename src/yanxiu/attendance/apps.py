from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "yanxiu.attendance"
    label = "attendance"
