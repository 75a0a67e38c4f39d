from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "yanxiu.policy"
    label = "policy"
