from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    # The chosen plan (?plan=, the remembered choice, or the plan in force) ...
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("plan/", views.PlanTreeView.as_view(), name="tree"),
    path("plan-choice/", views.ChoosePlanView.as_view(), name="choose"),
    # ... and every plan side by side, each under its own address.
    path("plans/", views.PortfolioView.as_view(), name="portfolio"),
    path("plans/<slug:plan>/", views.DashboardView.as_view(), name="plan-dashboard"),
    path("plans/<slug:plan>/tree/", views.PlanTreeView.as_view(), name="plan-tree"),
]
