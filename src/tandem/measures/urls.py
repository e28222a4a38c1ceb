from django.urls import path

from tandem.measures import views

app_name = "measures"

urlpatterns = [
    path("measures/<int:pk>/", views.administration_detail, name="administration"),
    path("measures/<int:pk>/validate/", views.validate_item, name="validate_item"),
    path("measures/<int:pk>/link/", views.link_new, name="issue_link"),
    path("measures/links/<int:pk>/cancel/", views.cancel_link, name="cancel_link"),
    path("measures/links/<int:pk>/resend/", views.resend_link, name="resend_link"),
    path("clients/<int:pk>/invitations/", views.invitation_log, name="invitation_log"),
    path("programmes/<int:pk>/measures/export/", views.programme_export, name="programme_export"),
    path("programmes/<int:pk>/measures/import/", views.programme_import, name="programme_import"),
    path("r/<str:token>/", views.self_report, name="self_report"),
]
