from django.urls import path

from tandem.clients import intake_views, views

app_name = "clients"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("referrals/", intake_views.referral_list, name="referral_list"),
    path("referrals/new/", intake_views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", intake_views.referral_detail, name="referral_detail"),
    path("waitlist/", intake_views.waitlist, name="waitlist"),
    path("episodes/<int:pk>/", intake_views.episode_discharge, name="episode_discharge"),
]
