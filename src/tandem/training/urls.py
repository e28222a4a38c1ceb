from django.urls import path

from tandem.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.cohort_list, name="cohort_list"),
    path("training/me/", views.my_training, name="my_training"),
    path("training/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("training/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("training/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("training/cohorts/<int:pk>/notes/", views.note_search, name="note_search"),
    path("training/cohorts/<int:pk>/swaps/", views.swap_request, name="swap_request"),
    path("training/swaps/<int:pk>/", views.swap_answer, name="swap_answer"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("training/materials/<int:pk>/", views.material_download, name="material_download"),
    path("training/presentations/<int:pk>/note/", views.presentation_note, name="note"),
    path("training/notes/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
]
