"""The four pages people read most, in Chinese and in English, saved as screenshots
(test-artifacts/screen-*.png) and read for raw codes: what the store calls a thing
(snake_case names, comparator codes, list-of-keys brackets, command names, column scales)
must never reach a person."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from plans.models import ResponsibleUnit
from targets.models import Measurement, Target
from targets.services import set_target_units
from tests.browser.conftest import screenshot, sign_in
from tests.web import PASSWORD

# What a store's code looks like when it leaks into a page.
RAW = {
    "a snake_case name": re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),
    "a program's name": re.compile(r"\bcommand:|\bjob:"),
    "a comparator's code": re.compile(r"\b(?:gte|lte|gt|lt|eq)\b"),
    "a list of keys": re.compile(r"\[\s*\d*(?:\s*,\s*\d+)*\s*\]"),
    "a column's scale": re.compile(r"\d+\.\d*0000\b"),
    "a city's code": re.compile(r"\b(?:hangzhou|wenzhou|ningbo)\b"),
}
# On a Chinese page, a lowercase Latin word is a code, except these names and units.
LATIN_ALLOWED = {"zjai", "kwh", "https", "http", "www"}


# The text of the elements written in the page's own language (without those marked lang="en"
# on a Chinese page, which hold data as its source wrote it).
OWN_LANGUAGE_TEXT = """main => {
    const copy = main.cloneNode(true);
    const page = document.documentElement.lang.slice(0, 2);
    copy.querySelectorAll("script, style, template").forEach(e => e.remove());
    copy.querySelectorAll("[lang]").forEach(e => { if (!e.lang.startsWith(page)) e.remove(); });
    return copy.textContent;
}"""


def raw_codes(text: str, own_language: str, language: str) -> list[str]:
    found = [f"{what}: {m.group(0)!r}" for what, rx in RAW.items() for m in rx.finditer(text)]
    if language == "zh-hans":
        found += [
            f"an English word: {word!r}"
            for word in re.findall(
                r"(?<![\w./-])[a-z]{3,}(?![\w/-])|\b[a-z]+(?:-[a-z]+)+\b", own_language
            )
            if word not in LATIN_ALLOWED
        ]
    return found


@pytest.fixture
def screens(pages, live_server, make_user):
    """The dashboard, a target page, a review page and the auditor's history of the target."""
    econ = ResponsibleUnit.objects.get(code="econ-it")
    make_user("auditor1", "auditor", econ)
    robots = Target.objects.get(code="robots-in-service")
    admin = get_user_model().objects.create_superuser("root1", password=PASSWORD, unit=econ)
    # A history with the events the issue names: units set, comparator and plan fields.
    set_target_units(
        robots,
        links=[(econ, True), (ResponsibleUnit.objects.get(code="sci-tech"), False)],
        acting_user=admin,
        reason="责任分工调整",
    )
    pending = Measurement.objects.get(target=robots, state="submitted")
    return {
        "dashboard": ("reviewer1", "/"),
        "target": ("reviewer1", f"/plans/zj-ai-2019-2022/targets/{robots.code}/"),
        "review": ("reviewer1", f"/figures/{pending.pk}/review/"),
        "history": ("auditor1", f"/reports/history/target/{robots.pk}/"),
    }


@pytest.mark.parametrize(("locale", "language"), [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_the_pages_people_read_show_no_raw_code(screens, live_server, new_page, locale, language):
    base = live_server.url
    leaks = {}
    for name, (username, path) in screens.items():
        page = new_page(locale=locale)
        if language == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        sign_in(page, base, username, PASSWORD)
        response = page.goto(base + path)
        assert response is not None and response.status == 200, (name, path)
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"screen-{name}-{language}.png")
        text = page.locator("main").inner_text()
        # Data in another language than the page's is marked so (a plan quoted in English).
        own_language = page.locator("main").evaluate(OWN_LANGUAGE_TEXT)
        found = raw_codes(text, own_language, language)
        for word in ("days", "robots-in", "number"):
            at = own_language.find(word)
            print(name, language, repr(own_language[max(0, at - 80) : at + 60]))
        if found:
            leaks[name] = found
        page.context.close()
    assert not leaks, leaks
