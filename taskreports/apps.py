from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "taskreports"
    verbose_name = _("task reports")

    def ready(self) -> None:
        # The audited tables of this app, replayed by `verify_audit_log --replay` (audit.replay).
        # Demo rows (is_demo) are written in bulk with one summary event. Review rounds and
        # evidence files are recorded by their report's events (submit, approve, return,
        # add_evidence, remove_evidence); the editors are bookkeeping (docs/audit.md).
        from audit.replay import DEMO, Seeded, register

        register(
            "taskreports.taskreport",
            seeded=Seeded(DEMO),
            actors={
                "create": "created_by",
                "submit": "submitted_by",
                "approve": "reviewed_by",
                "return": "reviewed_by",
            },
        )
        register("taskreports.consolidatedreport", seeded=Seeded(DEMO))
        register("taskreports.milestone", seeded=Seeded(DEMO), actors={"create": "created_by"})
        register(
            "taskreports.supervisionnotice",
            seeded=Seeded(DEMO),
            actors={"create": "issued_by", "reply": "replied_by", "close": "closed_by"},
        )
