from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("audit trail")

    def ready(self) -> None:
        from .guard import ensure_installed

        # The migration installs the append-only trigger; this covers databases built without
        # migrations (the test suite's --no-migrations). See audit.guard.
        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="audit-append-only")
