from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "yanxiu.reports"
    label = "reports"
