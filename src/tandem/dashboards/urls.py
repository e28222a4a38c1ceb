from django.urls import path

from tandem.dashboards import views

app_name = "dashboards"

urlpatterns: list[object] = [
    path("dashboard/", views.my_dashboard_page, name="my_dashboard"),
    path("clients/<int:pk>/dashboard/", views.client_dashboard_page, name="client_dashboard"),
    path("teams/<int:pk>/dashboard/", views.team_dashboard_page, name="team_dashboard"),
    path(
        "teams/<int:pk>/dashboard/chart/",
        views.team_dashboard_chart,
        name="team_dashboard_chart",
    ),
    path(
        "programmes/<int:pk>/dashboard/", views.programme_dashboard_page, name="programme_dashboard"
    ),
]
