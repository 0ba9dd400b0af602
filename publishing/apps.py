from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("Publication")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from audit.replay import register

        # A publication's act and its withdrawal are events of the row (docs/audit.md).
        register(
            "publishing.publication",
            actors={"create": "published_by", "withdraw": "withdrawn_by"},
        )
