from django.urls import path

from tandem.reports import views

app_name = "reports"

urlpatterns: list[object] = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/request/", views.report_request, name="report_request"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
