from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("import/", views.EnterpriseImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.EnterpriseImportJobView.as_view(), name="import-job"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="edit"),
    path("<int:pk>/decide/", views.EnterpriseDecideView.as_view(), name="decide"),
]
