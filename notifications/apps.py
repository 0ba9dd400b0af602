from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from audit.replay import register

        # A unit's webhooks are audited (never their secret): the replay compares the rest.
        register("notifications.unitwebhook", actors={"create": "created_by"})
