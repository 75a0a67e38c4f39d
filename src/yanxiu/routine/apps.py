from django.apps import AppConfig


class RoutineConfig(AppConfig):
    name = "yanxiu.routine"
    label = "routine"
