"""The pages of what awaits confirmation across the registers (each register's own pages are in
its app)."""

from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("to-confirm/", views.ToConfirmView.as_view(), name="to_confirm"),
    path("batches/<int:pk>/", views.BatchView.as_view(), name="batch"),
]
