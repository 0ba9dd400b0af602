"""The plan pages in English number the plan's items the English way (I., (1), Column 1), list
units with commas and mark the lead in English punctuation; in Chinese, as the plan prints."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from targets.services import recompute_progress
from tests.web import client_for


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def numbers(html: str) -> list[str]:
    return re.findall(r'<span class="number">([^<]*)</span>', html)


def test_the_plan_tree_numbers_the_english_way(plan, people):
    html = english(people["staff"]).get("/plan/").content.decode()
    shown = numbers(html)
    assert {"I.", "II.", "III.", "IV.", "(1)", "(5)", "1.", "Column 1", "Column 6"} <= set(shown)
    assert not [n for n in shown if re.search(r"[一二三四五六七八九十（）专栏、]", n)]
    # Units: commas between them, the lead marked in English brackets.
    assert "(lead)</span>" in html
    units = re.findall(r'<p class="units small">(.*?)</p>', html, re.S)
    assert units and not any("、" in line or "（" in line for line in units)
    assert any(", " in line for line in units)


def test_the_plan_tree_numbers_as_the_plan_prints_in_chinese(plan, people):
    html = client_for(people["staff"]).get("/plan/").content.decode()
    shown = numbers(html)
    assert {"一", "（一）", "专栏1", "1."} <= set(shown)
    assert re.search(r'>省科学技术厅</a><span class="muted">（牵头）</span>', html)


def test_the_task_page_and_dashboard_read_english(plan, people):
    recompute_progress(dt.date(2021, 6, 30))
    client = english(people["staff"])
    html = client.get("/plans/zj-ai-2019-2022/tasks/II.1.1/").content.decode()
    assert numbers(html)[0] == "1."
    assert "Status now: " in html
    dashboard = client.get("/").content.decode()
    shown = numbers(dashboard)
    assert "(1)" in shown and not [n for n in shown if re.search(r"[一二三四五六七八九十（）]", n)]
    assert "1,000 (100 million yuan)" in dashboard
