from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.InboxView.as_view(), name="inbox"),
    path("read-all/", views.ReadAllView.as_view(), name="read-all"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("<int:pk>/read/", views.ReadView.as_view(), name="read"),
    path("<int:pk>/open/", views.OpenView.as_view(), name="open"),
]
