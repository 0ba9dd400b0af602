"""Four eyes, for any reviewed record: whoever had a hand in a record never approves or rejects
it (DESIGN.md §1). The figures (targets.rules) and the task reports (taskreports.rules) each
state who had a hand in theirs with one `FourEyes`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, Model, OuterRef, Q, QuerySet


@dataclass(frozen=True)
class FourEyes:
    """The people who had a hand in a reviewed record: four eyes keep each of them from
    approving or rejecting it, administrators included.

    `people` are the record's fields that name one person (who created it, who submitted it);
    `editors` is the model (an app label) of the rows that name everyone who created, changed
    or submitted it, one row per person, with `record` its foreign key to the record and `user`
    to the person. Both are read: rows written before the editors were recorded, or written
    directly (demo data), still name their creator and submitter.
    """

    people: tuple[str, ...]
    editors: str
    record: str

    def _editor_rows(self) -> QuerySet:
        return apps.get_model(self.editors).objects.all()

    def touched(self, user) -> Q:
        """The records `user` had a hand in, as a condition of a query (for `exclude`): one
        indexed lookup per row, never a join that repeats rows."""
        if not getattr(user, "pk", None):
            return Q(pk__in=[])
        condition = Q(
            Exists(self._editor_rows().filter(**{self.record: OuterRef("pk"), "user": user.pk}))
        )
        for name in self.people:
            condition |= Q(**{f"{name}_id": user.pk})
        return condition

    def named_in(self, user, record: Model) -> bool:
        """Whether the record's own fields name `user` (no query)."""
        return bool(getattr(user, "pk", None)) and user.pk in (
            getattr(record, f"{name}_id") for name in self.people
        )

    def edited(self, user, records: Iterable[Model]) -> set[int]:
        """The ids of those of `records` whose editors include `user`: one query for a page."""
        ids = sorted({r.pk for r in records if r.pk is not None})
        if not getattr(user, "pk", None) or not ids:
            return set()
        return set(
            self._editor_rows()
            .filter(**{f"{self.record}_id__in": ids, "user": user.pk})
            .values_list(f"{self.record}_id", flat=True)
        )
