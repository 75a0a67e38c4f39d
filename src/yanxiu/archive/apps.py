from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "yanxiu.archive"
    label = "archive"
