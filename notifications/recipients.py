"""Who receives a notice: the reads every sender shares."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from zjai.roles import Role


def people_of_units(unit_ids: Iterable[int], roles: Iterable[str]) -> QuerySet:
    """The active users of these units who hold one of `roles` (superusers count as
    administrators)."""
    roles = list(roles)
    condition = Q(groups__name__in=roles)
    if Role.ADMIN in roles:
        condition |= Q(is_superuser=True)
    return (
        get_user_model()
        .objects.filter(unit_id__in=list(unit_ids), is_active=True)
        .filter(condition)
        .distinct()
    )


def administrators() -> QuerySet:
    """Every active administrator, whatever their unit."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=Role.ADMIN) | Q(is_superuser=True))
        .distinct()
    )
