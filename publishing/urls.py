"""The public pages' addresses (docs/open-data.md): /public/ in Chinese, /public/en/ in English,
the same pages under both. The data files' own addresses (…/data/<file>) are the download
views' (publishing.data_urls): every pattern here ends at its page's slash, so none takes them."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "public"


def _edition_pages(prefix: str, name: str, language: str) -> list[URLPattern]:
    """An edition's pages under `prefix` ("<plan>/" or "<plan>/editions/<n>/")."""
    lang = {"language": language}
    return [
        path(prefix, views.page, {**lang, "kind": "plan"}, name=f"{name}plan"),
        path(f"{prefix}tasks/<str:key>/", views.page, {**lang, "kind": "task"}, name=f"{name}task"),
        path(
            f"{prefix}targets/<str:key>/",
            views.page,
            {**lang, "kind": "target"},
            name=f"{name}target",
        ),
        path(f"{prefix}units/<str:key>/", views.page, {**lang, "kind": "unit"}, name=f"{name}unit"),
        path(f"{prefix}data/", views.page, {**lang, "kind": "data"}, name=f"{name}data"),
    ]


def _language(root: str, name: str, language: str) -> list[URLPattern]:
    lang = {"language": language}
    return [
        path(root, views.portfolio, lang, name=f"{name}portfolio"),
        path(f"{root}<str:plan>/editions/", views.editions, lang, name=f"{name}editions"),
        *_edition_pages(f"{root}<str:plan>/", name, language),
        *_edition_pages(f"{root}<str:plan>/editions/<int:number>/", f"{name}edition-", language),
    ]


# English first: "en" would otherwise be read as a plan's code.
urlpatterns = [*_language("en/", "en-", "en"), *_language("", "", "zh-hans")]
