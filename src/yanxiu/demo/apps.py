from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demonstration county: organisation (demo/county.py) plus a school year of activity."""

    name = "yanxiu.demo"
    label = "demo"
