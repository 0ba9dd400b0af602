from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ExportView.as_view(), name="export"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/status/", views.ExportStatusView.as_view(), name="export-status"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("bulletin/", views.BulletinView.as_view(), name="bulletin"),
    path("history/<slug:kind>/<int:pk>/", views.HistoryView.as_view(), name="history"),
]
