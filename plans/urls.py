from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanOverviewView.as_view(), name="overview"),
]
