from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("new/", views.ProjectCreateView.as_view(), name="create"),
    path("import/", views.ProjectImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ProjectImportJobView.as_view(), name="import-job"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="edit"),
    path("<int:pk>/decide/", views.ProjectDecideView.as_view(), name="decide"),
]
