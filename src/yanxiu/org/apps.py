from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "yanxiu.org"
    label = "org"
