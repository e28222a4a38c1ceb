from django.urls import path

from tandem.feedback import dashboard_views, report_views, team_views, views

app_name = "feedback"

urlpatterns: list[object] = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("teams/<int:pk>/agenda/", views.agenda, name="agenda"),
    path("programmes/<int:pk>/alert-thresholds/", views.thresholds, name="thresholds"),
    path("teams/<int:pk>/dashboard/", team_views.team_dashboard_page, name="team_dashboard"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/request/", report_views.report_request, name="report_request"),
    path("reports/<int:pk>/download/", report_views.report_download, name="report_download"),
    path("dashboard/", dashboard_views.my_dashboard_page, name="my_dashboard"),
    path(
        "clients/<int:pk>/dashboard/",
        dashboard_views.client_dashboard_page,
        name="client_dashboard",
    ),
    path(
        "programmes/<int:pk>/dashboard/",
        dashboard_views.programme_dashboard_page,
        name="programme_dashboard",
    ),
]
