from django.urls import path

from tandem.training.views import cohorts, efficacy

app_name = "training"

urlpatterns = [
    path("training/", cohorts.cohort_list, name="cohort_list"),
    path("training/me/", cohorts.my_training, name="my_training"),
    path("training/cohorts/new/", cohorts.cohort_new, name="cohort_new"),
    path("training/cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("training/cohorts/<int:pk>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path("training/cohorts/<int:pk>/notes/", cohorts.note_search, name="note_search"),
    path("training/cohorts/<int:pk>/swaps/", cohorts.swap_request, name="swap_request"),
    path(
        "training/cohorts/<int:pk>/interviews/",
        cohorts.interview_project,
        name="interview_project",
    ),
    path("training/cohorts/<int:pk>/self-efficacy/", efficacy.efficacy, name="efficacy"),
    path(
        "training/cohorts/<int:pk>/self-efficacy/report.pdf",
        efficacy.efficacy_pdf,
        name="efficacy_pdf",
    ),
    path("training/waves/<int:pk>/", efficacy.efficacy_answer, name="efficacy_answer"),
    path("training/swaps/<int:pk>/", cohorts.swap_answer, name="swap_answer"),
    path("training/sessions/<int:pk>/", cohorts.session_detail, name="session_detail"),
    path("training/materials/<int:pk>/", cohorts.material_download, name="material_download"),
    path("training/presentations/<int:pk>/note/", cohorts.presentation_note, name="note"),
    path("training/notes/<int:pk>/follow-up/", cohorts.follow_up, name="follow_up"),
    path("training/follow-ups/<int:pk>/", cohorts.follow_up_edit, name="follow_up_edit"),
    path("training/swaps/<int:pk>/undo/", cohorts.swap_undo, name="swap_undo"),
    path("training/waves/<int:pk>/edit/", efficacy.wave_edit, name="wave_edit"),
]
