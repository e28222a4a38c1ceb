from django.urls import path

from tandem.clients import views
from tandem.clients.corrections import views as corrections

app_name = "clients"

urlpatterns = [
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", corrections.client_edit, name="client_edit"),
    path("clients/<int:pk>/history/", corrections.client_history, name="client_history"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("episodes/<int:pk>/", views.episode_discharge, name="episode_discharge"),
    path("episodes/<int:pk>/handover/", corrections.episode_handover, name="episode_handover"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
]
