from django.urls import path

from tandem.practice import views
from tandem.practice.corrections import views as corrections
from tandem.practice.supervision import views as supervision

app_name = "practice"

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:pk>/strengths/", views.strengths, name="strengths"),
    path("clients/<int:pk>/plan/", views.plan, name="plan"),
    path("clients/<int:pk>/contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/edit/", corrections.contact_edit, name="contact_edit"),
    path("goals/<int:pk>/edit/", corrections.goal_edit, name="goal_edit"),
    path("steps/<int:pk>/edit/", corrections.step_edit, name="step_edit"),
    path("resources/", views.resources, name="resources"),
    path("supervision/", views.supervision, name="supervision"),
    path("supervision/new/", views.session_new, name="session_new"),
    path("supervision/sessions/<int:pk>/", supervision.session_detail, name="session_detail"),
    path(
        "supervision/sessions/<int:pk>/summary/",
        supervision.presentation_summary,
        name="presentation_summary",
    ),
    path("supervision/actions/<int:pk>/", supervision.agreed_action, name="agreed_action"),
    path(
        "supervision/actions/<int:pk>/done/",
        supervision.agreed_action_done,
        name="agreed_action_done",
    ),
]
