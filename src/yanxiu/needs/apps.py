from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "yanxiu.needs"
    label = "needs"
    verbose_name = _("培训需求调研")
