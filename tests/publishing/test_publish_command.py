"""publish_edition: the command line's way to publish, through the same service."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from publishing.models import Publication
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("publish_edition", *args, stdout=out)
    return out.getvalue()


def test_an_administrator_publishes_and_a_repeat_is_refused_or_skipped(world, plan):
    args = ["--plan", plan.code, "--as-of", AS_OF.isoformat(), "--by", "boss"]
    assert "publication 1 as of 2021-06-30" in run(*args)
    with pytest.raises(CommandError, match="already shows exactly this content"):
        run(*args)
    assert "already shows this edition" in run(*args, "--unless-published")
    assert Publication.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "nope", "--as-of", "2021-06-30", "--by", "boss"], "no plan with the code"),
        (["--as-of", "30/06/2021", "--by", "boss"], "--as-of must be a date"),
        (["--as-of", "2021-06-30", "--by", "nobody"], "no user called 'nobody'"),
        (["--as-of", "2021-06-30", "--by", "clerk"], "Only administrators"),
        (["--as-of", "2999-01-01", "--by", "boss"], "future"),
        (["--as-of", "2021-06-30", "--as-known-on", "soon", "--by", "boss"], "as known on"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(world, plan, args, message):
    if "--plan" not in args:
        args = ["--plan", plan.code, *args]
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert "\n" not in str(caught.value)
    assert Publication.objects.count() == 0
