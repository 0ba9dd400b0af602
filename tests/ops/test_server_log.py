"""What a developer's server log and browser see: one line (and one traceback) per refused
request, a favicon rather than a 404 on every page."""

from __future__ import annotations

import logging

from django.contrib.staticfiles import finders

from tests.web import client_for, people  # noqa: F401 (a fixture)


def handlers_that_print(logger_name: str, level: int) -> list[logging.Handler]:
    """The handlers a record of this logger reaches and that let it through, as logging walks
    them (each logger's handlers, then its parent's while it propagates); pytest's own
    capturing handlers left out."""
    record = logging.LogRecord(logger_name, level, __file__, 1, "refused", None, None)
    found: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger(logger_name)
    while logger is not None:
        found += [
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest")
            and level >= h.level
            and h.filter(record)
        ]
        logger = logger.parent if logger.propagate else None
    return found


def test_a_refused_request_is_printed_once_with_debug_on(people, settings, caplog):  # noqa: F811
    # The development settings: Django's own console handler speaks only with DEBUG on.
    settings.DEBUG = True

    response = client_for(people["auditor"]).get(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/"
    )

    assert response.status_code == 403
    refused = [r for r in caplog.records if r.getMessage().startswith("Forbidden")]
    assert len(refused) == 1 and refused[0].exc_info  # one record, with its traceback
    assert len(handlers_that_print(refused[0].name, refused[0].levelno)) == 1


def test_the_favicon_is_served_to_anyone(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.ico")
    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")


def test_every_page_names_its_icon(people):  # noqa: F811
    page = client_for(people["staff"]).get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
