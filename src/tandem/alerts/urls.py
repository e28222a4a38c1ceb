from django.urls import path

from tandem.alerts import views

app_name = "alerts"

urlpatterns: list[object] = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("teams/<int:pk>/agenda/", views.agenda, name="agenda"),
    path("programmes/<int:pk>/alert-thresholds/", views.thresholds, name="thresholds"),
]
