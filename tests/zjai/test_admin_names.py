"""The admin's app and model names are translated: every app of ours and django-axes name
themselves through the catalogue, so the Chinese admin shows no English app name."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

from tests.web import client_for


@pytest.fixture
def superuser(people):
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return admin


OURS = ["accounts", "audit", "plans", "notifications", "registers", "targets", "taskreports"]
OURS += ["enterprises", "projects", "demo", "reports", "portfolio", "axes"]


@pytest.mark.parametrize("label", OURS)
def test_every_app_names_itself_for_translation(label):
    config = apps.get_app_config(label)
    assert isinstance(config.verbose_name, Promise), label  # gettext_lazy, not a fixed string
    for model in config.get_models():
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            assert isinstance(name, Promise), (label, model.__name__)


def test_django_axes_is_named_in_english_and_keeps_its_label():
    config = apps.get_app_config("axes")
    assert config.name == "axes" and config.label == "axes"
    with translation.override("en"):
        assert str(config.verbose_name) == "sign-in attempts"


def test_the_admin_index_names_the_apps_in_english(superuser):
    client = client_for(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/").content.decode()
    for name in ["sign-in attempts", "audit trail", "enterprise register", "users and accounts"]:
        assert name in html.lower(), name
    assert "AI Action Plan tracker" in html and "Django administration" not in html


def test_the_chinese_admin_index_has_no_english_app_names(superuser):
    # The Chinese is the point of the issue (English app names in the Chinese admin).
    html = client_for(superuser).get("/admin/").content.decode()
    for english in ["Axes", "AXES", "Access attempts", "Accounts", "Audit", "Enterprises"]:
        assert f">{english}<" not in html, english
    assert "登录尝试" in html and "登录失败记录" in html
