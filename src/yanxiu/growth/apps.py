from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "yanxiu.growth"
    label = "growth"
