from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "taskreports"
    verbose_name = _("task reports")
