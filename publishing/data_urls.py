"""The open data's stable addresses, under /public/ (docs/open-data.md, "The downloads")."""

from django.urls import path

from . import data_views

app_name = "public-data"

urlpatterns = [
    path("<slug:plan>/data/<path:path>", data_views.current_file, name="current"),
    path(
        "<slug:plan>/editions/<int:number>/data/<path:path>",
        data_views.edition_file,
        name="edition",
    ),
]
