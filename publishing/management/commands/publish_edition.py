"""publish_edition --plan CODE --as-of DATE [--as-known-on K] --by USERNAME: an administrator's
publication from the command line, through publishing.services like the Publications page and
the API (docs/open-data.md, "Publishing an edition")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Plan
from publishing import content, services
from reports.builders import AsOfReport
from reports.editions import EditionError, parse_known_on


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {text!r}") from None


def _one_line(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Publish a plan's edition as of a date (as an administrator named by --by)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="the plan's code")
        parser.add_argument("--as-of", required=True, help="the edition's date, YYYY-MM-DD")
        parser.add_argument(
            "--as-known-on",
            help="a date (the end of that day) or a datetime with its offset; default: now",
        )
        parser.add_argument("--by", required=True, help="the administrator's user name")
        parser.add_argument(
            "--unless-published",
            action="store_true",
            help="exit 0 without publishing when the plan's newest publication already shows "
            "the same content (make run publishes the demo edition this way)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(code=options["plan"]).first()
        if plan is None:
            raise CommandError(f"no plan with the code {options['plan']!r}")
        as_of = _date(options["as_of"])
        try:
            known_at = parse_known_on(options["as_known_on"]) if options["as_known_on"] else None
        except EditionError as error:
            raise CommandError(str(error)) from None
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"no user called {options['by']!r}")
        if options["unless_published"]:
            newest = plan.publications.live().order_by("-number").first()
            if newest is not None and newest.as_of == as_of:
                report = AsOfReport(plan, as_of, known_at=known_at)
                if content.content_digest(content.build(report)) == newest.content_digest:
                    self.stdout.write(
                        f"{plan.code}: publication {newest.number} already shows this edition"
                    )
                    return
        try:
            publication = services.publish(
                plan=plan, as_of=as_of, known_at=known_at, acting_user=user
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(_one_line(error)) from None
        self.stdout.write(
            f"{plan.code}: publication {publication.number} as of {as_of}, "
            f"digest {publication.digest}: /public/{plan.code}/"
        )
