"""The staff's pages of publishing, mounted at /publications/ (zjai.urls)."""

from django.urls import path

from . import staff_views

app_name = "publications"

urlpatterns = [
    path("", staff_views.PublicationListView.as_view(), name="list"),
    path("<int:pk>/withdraw/", staff_views.WithdrawView.as_view(), name="withdraw"),
]
