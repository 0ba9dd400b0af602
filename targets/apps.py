from django.apps import AppConfig


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"

    def ready(self) -> None:
        from registers.signals import register_changed

        from .receivers import recompute_register_readers

        register_changed.connect(
            recompute_register_readers, dispatch_uid="targets.register_readers"
        )
