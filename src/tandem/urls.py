"""Every route of Tandem. Each is checked (LoginRequiredMiddleware) unless it is on the
public allowlist in ``tests/access/test_url_matrix.py``: login, language switch, health."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from tandem.api.urls import fhir_urls, v1_urls

urlpatterns = [
    path("", include("tandem.site.urls")),
    path("", include("tandem.core.urls")),
    path("accounts/", include("tandem.accounts.urls")),
    path("", include("tandem.clients.urls")),
    path("", include("tandem.measures.urls")),
    path("", include("tandem.practice.urls")),
    path("", include("tandem.fidelity.urls")),
    path("", include("tandem.alerts.urls")),
    path("", include("tandem.dashboards.urls")),
    path("", include("tandem.reports.urls")),
    path("", include("tandem.training.urls")),
    path("", include("tandem.qualitative.urls")),
    path("", include("tandem.research.urls")),
    path("", include("tandem.api.urls")),
    path("api/v1/", v1_urls()),
    path("fhir/", fhir_urls()),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler403 = "tandem.core.views.permission_denied"
handler404 = "tandem.core.views.page_not_found"
