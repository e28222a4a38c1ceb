from django.urls import path

from tandem.research.views import consent, exports, runs, studies

app_name = "research"

urlpatterns = [
    path("research/", studies.study_list, name="study_list"),
    path("research/studies/new/", studies.study_new, name="study_new"),
    path("research/studies/<int:pk>/", studies.study_detail, name="study_detail"),
    path("research/studies/<int:pk>/edit/", studies.study_edit, name="study_edit"),
    path("research/studies/<int:pk>/members/", studies.study_members, name="study_members"),
    path("research/clients/<int:pk>/consent/", consent.client_consent, name="client_consent"),
    path("research/consents/<int:pk>/", consent.enrolment_detail, name="enrolment_detail"),
    # Analysis runs.
    path("research/studies/<int:pk>/runs/new/", runs.run_new, name="run_new"),
    path("research/runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("research/runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("research/runs/<int:pk>/pdf/", runs.run_pdf, name="run_pdf"),
    path("research/runs/<int:pk>/void/", runs.run_void, name="run_void"),
]

# Exports of a study's de-identified data set.
urlpatterns += [
    path("research/studies/<int:pk>/exports/", exports.export_list, name="export_list"),
    path("research/exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("research/exports/<int:pk>/void/", exports.export_void, name="export_void"),
]
