from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yanxiu.core"
    label = "core"
