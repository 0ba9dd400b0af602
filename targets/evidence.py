"""Evidence files that no figure refers to any more, and their removal.

A figure's evidence is written to storage when the figure is saved. If the transaction that
saved it is then rolled back (the database lost mid-request, a refused submit), or a draft's
file is replaced, the file stays in MEDIA_ROOT/evidence/ with nothing pointing at it.
`clean_evidence` (and the nightly task) removes such files once they are old enough that no
request can still be saving them. A file named by a figure, or by any figure's audit event
(the trail keeps what a figure's evidence was before a change), is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import AuditEvent

from .models import Measurement

EVIDENCE_DIR = "evidence"
#: Files younger than this are left alone: a request may still be saving their figure.
DEFAULT_MIN_AGE = dt.timedelta(hours=24)


@dataclass
class Cleanup:
    orphans: list[str]
    removed: int
    bytes: int


def _files(directory: str = EVIDENCE_DIR) -> Iterator[str]:
    if not default_storage.exists(directory):
        return
    folders, files = default_storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from _files(f"{directory}/{folder}")


def referenced() -> set[str]:
    """Every evidence file a figure or a figure's audit event names."""
    names = set(Measurement.objects.exclude(evidence="").values_list("evidence", flat=True))
    for before, after in AuditEvent.objects.filter(object_type="targets.measurement").values_list(
        "before__evidence", "after__evidence"
    ):
        names.update(value for value in (before, after) if isinstance(value, str) and value)
    return names


def orphaned(min_age: dt.timedelta = DEFAULT_MIN_AGE) -> list[str]:
    """Evidence files older than `min_age` that nothing refers to, sorted."""
    keep = referenced()
    cutoff = timezone.now() - min_age
    return sorted(
        name
        for name in _files()
        if name not in keep and default_storage.get_modified_time(name) < cutoff
    )


def remove_orphaned(min_age: dt.timedelta = DEFAULT_MIN_AGE, *, dry_run: bool = False) -> Cleanup:
    orphans = orphaned(min_age)
    size = sum(default_storage.size(name) for name in orphans)
    if not dry_run:
        for name in orphans:
            default_storage.delete(name)
    return Cleanup(orphans=orphans, removed=0 if dry_run else len(orphans), bytes=size)
