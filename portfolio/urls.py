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

# Task reports: a task's page, and supervision (督办) of the chosen plan or of a named one.
urlpatterns += [
    path("supervision/", views.SupervisionView.as_view(), name="supervision"),
    path(
        "plans/<slug:plan>/supervision/",
        views.SupervisionView.as_view(),
        name="plan-supervision",
    ),
    path("plans/<slug:plan>/tasks/<str:key>/", views.TaskView.as_view(), name="task"),
    # Every item of a plan has a page (the task page, for items that give units work).
    path(
        "plans/<slug:plan>/items/<str:key>/", views.TaskView.as_view(only_tasks=False), name="item"
    ),
    # A responsible unit in the chosen plan (?plan=).
    path("units/<slug:code>/", views.UnitView.as_view(), name="unit"),
]
