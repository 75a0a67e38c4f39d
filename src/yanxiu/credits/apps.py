from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "yanxiu.credits"
    label = "credits"
