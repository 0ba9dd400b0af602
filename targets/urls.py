from django.urls import path

from . import views

app_name = "targets"

urlpatterns = [
    path("targets/", views.TargetListView.as_view(), name="list"),
    # A target lives under its plan: codes are unique only within a plan.
    path("plans/<slug:plan>/targets/<slug:code>/", views.TargetDetailView.as_view(), name="detail"),
    path(
        "plans/<slug:plan>/targets/<slug:code>/report/",
        views.ReportFigureView.as_view(),
        name="report",
    ),
    path(
        "plans/<slug:plan>/targets/<slug:code>/reopen/",
        views.ReopenTargetView.as_view(),
        name="reopen",
    ),
    # The addresses from before the portfolio of plans keep working (issue 14).
    path("targets/<slug:code>/", views.OldTargetAddressView.as_view(), name="old-detail"),
    path(
        "targets/<slug:code>/report/",
        views.OldTargetAddressView.as_view(page="report"),
        name="old-report",
    ),
    path(
        "targets/<slug:code>/reopen/",
        views.OldTargetAddressView.as_view(page="reopen"),
        name="old-reopen",
    ),
    path("figures/", views.FigureListView.as_view(), name="figures"),
    path("figures/approve/", views.ApproveSelectedView.as_view(), name="approve-selected"),
    path("figures/<int:pk>/", views.FigureDetailView.as_view(), name="figure"),
    path("figures/<int:pk>/edit/", views.EditFigureView.as_view(), name="edit"),
    path("figures/<int:pk>/submit/", views.SubmitFigureView.as_view(), name="submit"),
    path("figures/<int:pk>/review/", views.ReviewFigureView.as_view(), name="review"),
    path("figures/<int:pk>/withdraw/", views.WithdrawFigureView.as_view(), name="withdraw"),
    path("figures/<int:pk>/evidence/", views.EvidenceView.as_view(), name="evidence"),
]
