"""Every set-wise write (QuerySet.update / delete, bulk_create / bulk_update, raw SQL) on the
application's models is either recorded in the audit trail or is computed bookkeeping that is
deliberately not audited (docs/audit.md, "What is not audited"). The scan below finds every
such call in the code; each must be in the table with its reason, so a new one cannot slip in
unexamined. The behavioural tests then prove what the table says."""

from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q

from audit.models import AuditEvent
from targets.models import Progress, RollupProgress, Target
from tests.architecture import APPS, ROOT

BULK = {"update", "delete", "bulk_create", "bulk_update", "raw", "execute"}

# (file, the receiver's source text, method) → how it is accounted for.
KNOWN = {
    ("portfolio/services.py", "link_model.objects.filter(**{owner_field: owner})", "delete"): (
        "recorded: one set_units event on the owner with the units before and after"
    ),
    (
        "portfolio/services.py",
        "link_model.objects",
        "bulk_create",
    ): "recorded: the same set_units event",
    ("portfolio/services.py", "PlanItem.objects.filter(plan=plan)", "update"): (
        "recorded: a temporary move of positions; each item's real change of position is an "
        "update event with its position before the load"
    ),
    (
        "targets/services.py",
        "Target.objects.filter(pk__in=ids, dirty_since__isnull=True)",
        "update",
    ): ("bookkeeping: the dirty mark for the recompute sweep, written with an audited change"),
    ("targets/services.py", "Progress.objects", "bulk_create"): (
        "computed: progress rows, one recompute event per run and plan"
    ),
    (
        "targets/services.py",
        "Target.objects.filter(pk__in=[t.pk for t in targets], dirty_since__lte=started)",
        "update",
    ): ("bookkeeping: the recompute clearing the dirty marks it has seen"),
    (
        "targets/services.py",
        "RollupProgress.objects.filter(plan_id=plan_id, as_of=as_of)",
        "delete",
    ): ("computed: roll-ups replaced as a whole, covered by the recompute event"),
    ("targets/services.py", "RollupProgress.objects", "bulk_create"): "computed: as above",
    ("targets/services.py", "StaleReminder.objects", "bulk_create"): (
        "bookkeeping: when a reminder e-mail went out (the StaleReminder row is the record)"
    ),
    ("demo/generator.py", "model.objects", "bulk_create"): (
        "recorded: demo data (is_demo) is one seed_demo event with the counts"
    ),
    ("demo/generator.py", "model.objects.filter(is_demo=True)", "delete"): (
        "recorded: the same seed_demo event, with the counts deleted"
    ),
    ("accounts/services.py", "ApiToken.objects.filter(pk=token.pk)", "update"): (
        "bookkeeping: a token's last use (tokens are created and revoked through audited services)"
    ),
    (
        "accounts/services.py",
        "IdempotencyKey.objects.filter(user=user, created_at__lt=now - lifetime)",
        "delete",
    ): (
        "bookkeeping: a user's expired Idempotency-Key answers (the writes they answered are "
        "audited)"
    ),
    (
        "accounts/services.py",
        "IdempotencyKey.objects.filter(created_at__lt=timezone.now() - lifetime)",
        "delete",
    ): "bookkeeping: the nightly purge of expired Idempotency-Key answers",
    ("audit/guard.py", "cursor", "execute"): "the trail's own guard (trigger and grants)",
    (
        "audit/admin_mixins.py",
        "super()",
        "delete_queryset",
    ): "recorded: one delete event per object",
    ("reports/services.py", "Export.objects.filter(pk=export_id)", "update"): (
        "bookkeeping: an export's progress (an export reads; the Export row records who asked)"
    ),
    ("targets/services.py", "TargetUnit.objects.filter(target=locked)", "delete"): (
        "recorded: one set_units event on the target with its units before and after"
    ),
    ("targets/services.py", "TargetUnit.objects", "bulk_create"): "recorded: the same event",
    ("notifications/services.py", "Notification.objects", "bulk_create"): (
        "bookkeeping: inbox notices, written with the audited change or job run that caused them"
    ),
    (
        "notifications/services.py",
        "Notification.objects.filter(pk=notice.pk, read_at__isnull=True)",
        "update",
    ): "bookkeeping: a notice marked read by its recipient",
    ("notifications/services.py", "WebhookDelivery.objects", "bulk_create"): (
        "bookkeeping: a notice's relay to its unit's webhooks"
    ),
    (
        "notifications/services.py",
        "EmailOptOut.objects.filter(user=acting_user).exclude(kind__in=off)",
        "delete",
    ): "bookkeeping: a user's own e-mail choices",
    ("notifications/services.py", "EmailOptOut.objects", "bulk_create"): (
        "bookkeeping: a user's own e-mail choices"
    ),
}


WRITE_SQL = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "ALTER", "DROP", "MERGE")


def _reads_only(call: ast.Call) -> bool:
    """Raw SQL counts as a write when its text, as far as the code spells it out, starts with
    a writing statement. SQL built elsewhere (a function's result) is not followed: the ORM
    calls are what this test is about."""
    if not call.args:
        return True
    sql = call.args[0]
    if isinstance(sql, ast.JoinedStr):
        sql = next((v for v in sql.values if isinstance(v, ast.Constant)), None)
    text = sql.value if isinstance(sql, ast.Constant) and isinstance(sql.value, str) else ""
    return not text.lstrip().upper().startswith(WRITE_SQL)


def bulk_calls() -> set[tuple[str, str, str]]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in BULK:
                    continue
                if node.func.attr == "execute" and _reads_only(node):
                    continue
                receiver = ast.unparse(node.func.value)
                # Only querysets and cursors: .update() on dicts and counters is not a write.
                if not (".objects" in receiver or receiver in ("cursor", "super()")):
                    continue
                found.add((path.relative_to(ROOT).as_posix(), receiver, node.func.attr))
    return found


def test_every_set_wise_write_is_accounted_for():
    found = bulk_calls()
    unknown = sorted(found - set(KNOWN))
    assert not unknown, (
        "set-wise writes that are neither audited nor documented as bookkeeping — record an "
        f"event, route them through a service, or add them to KNOWN with why: {unknown}"
    )


# --- what the table says, proved ---------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_a_recompute_writes_rows_but_one_event(plan):
    from targets.services import recompute_progress

    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    recompute_progress(dt.date(2021, 6, 30))
    assert Progress.objects.filter(as_of=dt.date(2021, 6, 30)).count() == 15
    assert RollupProgress.objects.filter(as_of=dt.date(2021, 6, 30)).exists()
    new = list(AuditEvent.objects.filter(seq__gt=seq))
    # The plan ended in 2022: the recompute first closes its targets, an event for each verdict
    # written (once: docs/progress.md, "Closing and frozen verdicts").
    verdicts = [e for e in new if e.object_type == "targets.targetverdict"]
    assert [e.action for e in verdicts] == ["create"] * 15
    new = [e for e in new if e.object_type != "targets.targetverdict"]
    assert [(e.action, e.object_type) for e in new] == [("recompute", "plans.plan")]
    assert new[0].after["counts"] == dict(
        sorted(
            {
                s: Progress.objects.filter(as_of=dt.date(2021, 6, 30), status=s).count()
                for s in set(Progress.objects.values_list("status", flat=True))
            }.items()
        )
    )


def test_the_dirty_mark_is_bookkeeping_next_to_an_audited_change(plan, make_user):
    from enterprises.services import confirm_enterprise_change, create_enterprise

    admin = make_user("boss", "admin")
    second = make_user("boss2", "admin")
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    entry = create_enterprise(
        acting_user=admin,
        name_zh="丙智能",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 1, 5),
    )
    # Proposed, not counted: nothing is marked dirty yet.
    assert not Target.objects.filter(source_register="enterprises", dirty_since__isnull=False)
    confirm_enterprise_change(entry, acting_user=second)
    # The change is audited; the targets it marked dirty are not separately (bookkeeping).
    new = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))
    assert [(e.action, e.object_type) for e in new] == [
        ("create", "enterprises.enterprise"),
        ("create", "registers.pendingchange"),
        ("update", "enterprises.enterprise"),
        ("approve", "registers.pendingchange"),
    ]
    assert not Target.objects.filter(source_register="enterprises", dirty_since__isnull=True)
    assert not AuditEvent.objects.filter(seq__gt=seq, object_type="targets.target").exists()


def test_a_plan_reload_that_moves_items_audits_real_moves_only(plan, tmp_path):
    from django.conf import settings

    text = Path(settings.ZJAI_DEFAULT_PLAN_FILE).read_text(encoding="utf-8")
    # Loading the same file again moves nothing and records nothing.
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    path = tmp_path / "same.yaml"
    path.write_text(text, encoding="utf-8")
    call_command("load_action_plan", "--file", str(path), stdout=io.StringIO())
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_seed_demo_is_one_summary_event(plan):
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    call_command("seed_demo", stdout=io.StringIO())
    new = list(AuditEvent.objects.filter(seq__gt=seq))
    # The thousands of demo rows, and the demo accounts (marked is_demo, named in the event's
    # users_created), are one summary event; the replay counts the rows against it.
    # It then closes the plan's targets (it ended in 2022): an event for each verdict.
    closed = [e for e in new if e.object_type == "targets.targetverdict"]
    assert [e.action for e in closed] == ["create"] * 15
    new = [e for e in new if e.object_type != "targets.targetverdict"]
    assert [e.action for e in new if e.object_type != "accounts.user"] == ["seed_demo"]
    assert new[-1].actor_label == "command:seed_demo"
    assert new[0].after["created"]["measurements"] == 10_000
    assert not [e for e in new if e.object_type == "accounts.user"]
    assert "admin" in new[0].after["users_created"]
    rows = AuditEvent.objects.filter(
        Q(seq__gt=seq) & ~Q(object_type__in=["accounts.user", "targets.targetverdict"])
    )
    assert rows.count() == 1
