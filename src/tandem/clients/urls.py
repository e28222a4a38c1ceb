from django.urls import path

from tandem.clients import views

app_name = "clients"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
]
