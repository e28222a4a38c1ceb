from django.urls import path

from tandem.orgs import views

app_name = "orgs"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
]
