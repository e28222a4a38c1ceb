from django.urls import path

from tandem.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("configuration/", views.configuration, name="configuration"),
    path(
        "programmes/<int:pk>/configuration/",
        views.programme_configuration,
        name="programme_configuration",
    ),
]
