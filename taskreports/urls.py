from django.urls import path

from . import views

app_name = "taskreports"

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report-create"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="report-edit"),
    path("reports/<int:pk>/submit/", views.ReportSubmitView.as_view(), name="report-submit"),
    path("reports/<int:pk>/review/", views.ReportReviewView.as_view(), name="report-review"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence-download"),
    path("evidence/<int:pk>/remove/", views.EvidenceRemoveView.as_view(), name="evidence-remove"),
    path(
        "items/<int:item>/periods/<str:period>/consolidated/",
        views.ConsolidatedEditView.as_view(),
        name="consolidated-edit",
    ),
    path("milestones/", views.MilestoneListView.as_view(), name="milestone-list"),
    path("milestones/new/", views.MilestoneCreateView.as_view(), name="milestone-create"),
    path("milestones/<int:pk>/edit/", views.MilestoneEditView.as_view(), name="milestone-edit"),
    path("milestones/<int:pk>/done/", views.MilestoneDoneView.as_view(), name="milestone-done"),
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("notices/<int:pk>/reply/", views.NoticeReplyView.as_view(), name="notice-reply"),
    path("notices/<int:pk>/close/", views.NoticeCloseView.as_view(), name="notice-close"),
]
