from django.urls import path

from tandem.measures.views import administrations, programmes, schedules, scheduling, self_report

app_name = "measures"

urlpatterns = [
    path("measures/<int:pk>/", administrations.administration_detail, name="administration"),
    path("measures/<int:pk>/validate/", administrations.validate_item, name="validate_item"),
    path("measures/<int:pk>/close/", administrations.administration_close, name="close"),
    path("measures/<int:pk>/reopen/", administrations.administration_reopen, name="reopen"),
    path(
        "measures/responses/<int:pk>/correct/",
        administrations.response_correct,
        name="correct_response",
    ),
    path("measures/<int:pk>/link/", administrations.link_new, name="issue_link"),
    path("measures/links/<int:pk>/cancel/", administrations.cancel_link, name="cancel_link"),
    path("measures/links/<int:pk>/resend/", administrations.resend_link, name="resend_link"),
    path("clients/<int:pk>/invitations/", administrations.invitation_log, name="invitation_log"),
    path(
        "programmes/<int:pk>/measures/export/", programmes.programme_export, name="programme_export"
    ),
    path(
        "programmes/<int:pk>/measures/import/", programmes.programme_import, name="programme_import"
    ),
    path(
        "programmes/<int:pk>/configuration/schedules/new/",
        schedules.schedule_new,
        name="schedule_new",
    ),
    path("configuration/schedules/<int:pk>/", schedules.schedule_edit, name="schedule_edit"),
    path(
        "configuration/schedules/<int:pk>/active/",
        schedules.schedule_active,
        name="schedule_active",
    ),
    path("r/<str:token>/", self_report.self_report, name="self_report"),
    path(
        "clients/<int:pk>/measures/schedule/",
        scheduling.schedule_administration,
        name="schedule_administration",
    ),
]
