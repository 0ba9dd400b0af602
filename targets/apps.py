from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = _("targets")

    def ready(self) -> None:
        from registers.signals import register_changed

        from .receivers import recompute_register_readers

        register_changed.connect(
            recompute_register_readers, dispatch_uid="targets.register_readers"
        )
