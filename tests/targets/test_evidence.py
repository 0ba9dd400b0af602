"""Evidence files nothing refers to are removed by `clean_evidence` (and the nightly task);
files a figure or a figure's audit trail names are kept, and so are new ones."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from targets import services
from targets.models import Target
from targets.tasks import clean_orphaned_evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = dt.date(2022, 6, 30)


@pytest.fixture
def files(plan, make_user, settings, tmp_path):
    from plans.models import ResponsibleUnit

    settings.MEDIA_ROOT = tmp_path
    staff = make_user("clerk", "staff", ResponsibleUnit.objects.get(code="econ-it"))
    robots = Target.objects.get(code="robots-in-service")
    kept = services.create_measurement(
        target=robots,
        value="1",
        observed_on=DAY,
        evidence=SimpleUploadedFile("kept.pdf", PDF),
        acting_user=staff,
    )
    # A draft whose file was replaced: the first file is named only by the audit trail now.
    replaced = services.create_measurement(
        target=robots,
        value="2",
        observed_on=DAY,
        evidence=SimpleUploadedFile("first.pdf", PDF),
        acting_user=staff,
    )
    first = replaced.evidence.name
    replaced = services.update_measurement(
        replaced,
        acting_user=staff,
        expected_version=replaced.version,
        evidence=SimpleUploadedFile("second.pdf", PDF),
    )
    orphan = default_storage.save("evidence/2022/06/left-behind.pdf", ContentFile(PDF))
    old = time.time() - 3 * 86400
    for name in (kept.evidence.name, first, replaced.evidence.name, orphan):
        os.utime(default_storage.path(name), (old, old))
    fresh = default_storage.save("evidence/2022/06/being-saved.pdf", ContentFile(PDF))
    return {
        "named": {kept.evidence.name, replaced.evidence.name, first},
        "orphan": orphan,
        "fresh": fresh,
    }


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("clean_evidence", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_lists_the_orphan_and_removes_nothing(files):
    output = run("--dry-run")
    assert output.splitlines()[0] == files["orphan"]
    assert "would remove 1 evidence file(s)" in output
    assert default_storage.exists(files["orphan"])


def test_only_files_nothing_refers_to_and_old_enough_are_removed(files):
    output = run()
    assert "removed 1 evidence file(s)" in output
    assert not default_storage.exists(files["orphan"])
    for name in files["named"] | {files["fresh"]}:
        assert default_storage.exists(name), name
    # With no minimum age the new file goes too: nothing refers to it.
    assert "removed 1 evidence file(s)" in run("--older-than", "0")
    assert not default_storage.exists(files["fresh"])


def test_the_nightly_task_removes_the_same(files):
    assert clean_orphaned_evidence.delay().get() == 1
    assert not default_storage.exists(files["orphan"])


def test_a_negative_age_is_refused_in_one_line(files):
    with pytest.raises(CommandError, match="--older-than must be 0 or more hours"):
        run("--older-than", "-1")
    assert default_storage.exists(files["orphan"])
