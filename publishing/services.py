"""Every write to publications goes through these functions (docs/open-data.md).

Publishing reads the edition's report and stores what the public may see of it
(publishing.content) with the edition's digest and chain head, numbered within the plan, and
records the act in the audit trail in the same transaction. Publishing content identical to
the plan's newest live publication is refused, so a retried request never publishes twice.
A withdrawal keeps the row (the public no longer sees it) with who withdrew it, when and why.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from plans.models import Plan
from reports.builders import AsOfReport
from reports.editions import EditionError, check_edition
from zjai.exceptions import ConflictError

from . import content as public_content
from . import rules
from .models import Publication

# What the trail keeps of a publication: everything but the content itself, which the
# content digest stands for (the content is derived from the edition the digest names).
AUDITED_FIELDS = [
    "plan",
    "number",
    "as_of",
    "known_at",
    "digest",
    "audit_head",
    "content_digest",
    "published_by",
    "published_at",
    "withdrawn_by",
    "withdrawn_at",
    "withdrawal_reason",
    "version",
]


def publish(
    *, plan: Plan, as_of: dt.date, known_at: dt.datetime | None = None, acting_user
) -> Publication:
    """Publish the edition of `plan` as of `as_of` as known at `known_at` (default: now)."""
    if not rules.may_publish(acting_user):
        raise PermissionDenied(_("Only administrators publish editions."))
    now = timezone.now()
    known_at = known_at or now
    try:
        check_edition(as_of, known_at, now)
    except EditionError as exc:
        raise ValidationError({"as_of": str(exc)}) from None
    if plan.is_draft:
        raise ValidationError({"plan": _("A draft plan is not published.")})
    report = AsOfReport(plan, as_of, known_at=known_at, generated_at=now)
    content = public_content.build(report)
    digest = public_content.content_digest(content)
    with transaction.atomic():
        # The plan's row lock numbers its publications one at a time.
        Plan.objects.select_for_update().get(pk=plan.pk)
        newest = plan.publications.live().order_by("-number").first()
        if newest is not None and newest.content_digest == digest:
            raise ValidationError(
                {
                    "as_of": _(
                        "Publication %(number)s of this plan already shows exactly this content."
                    )
                    % {"number": newest.number}
                }
            )
        number = (plan.publications.aggregate(n=Max("number"))["n"] or 0) + 1
        publication = Publication.objects.create(
            plan=plan,
            number=number,
            as_of=as_of,
            known_at=known_at,
            digest=content["edition"]["digest"],
            audit_head=content["edition"]["audit_head"],
            content=content,
            content_digest=digest,
            published_by=acting_user,
            published_at=now,
        )
        record_event(
            action="create",
            obj=publication,
            acting_user=acting_user,
            after=snapshot(publication, AUDITED_FIELDS),
        )
    return publication


def withdraw(
    publication: Publication, *, acting_user, reason: str, version: int | None = None
) -> Publication:
    """Withdraw a live publication: the public pages no longer show it."""
    if not rules.may_withdraw(acting_user):
        raise PermissionDenied(_("Only administrators withdraw publications."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the publication is withdrawn.")})
    with transaction.atomic():
        row = Publication.objects.select_for_update().get(pk=publication.pk)
        if version is not None and row.version != version:
            raise ConflictError(
                _("The publication changed since you read it."), current_version=row.version
            )
        if row.withdrawn_at is not None:
            raise ValidationError({"reason": _("This publication is already withdrawn.")})
        before = snapshot(row, AUDITED_FIELDS)
        row.withdrawn_at = timezone.now()
        row.withdrawn_by = acting_user
        row.withdrawal_reason = reason
        row.version += 1
        row.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "version"])
        record_event(
            action="withdraw",
            obj=row,
            acting_user=acting_user,
            before=before,
            after=snapshot(row, AUDITED_FIELDS),
            reason=reason,
        )
    return row
