"""Navigation links for the roles the signed-in user holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.accounts.access import agency_ids_administered_by, scope_for
from tandem.accounts.models import Role
from tandem.orgs.selectors import programmes_managed_by
from tandem.qualitative.selectors import is_member_of_any_project, may_create_projects


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    scope = scope_for(user)
    links: list[tuple[str, Any]] = []
    if scope.has_role(Role.CASE_MANAGER):
        links.append((reverse("dashboards:my_dashboard"), _("My dashboard")))
    if scope.has_role(Role.PROGRAMME_MANAGER):
        # The one query of the menu: which programmes the user manages.
        for programme in programmes_managed_by(user).only("pk", "name"):
            links.append(
                (
                    reverse("dashboards:programme_dashboard", args=[programme.pk]),
                    _("%(programme)s dashboard") % {"programme": programme.name},
                )
            )
    if scope.has_role(Role.CASE_MANAGER):
        links.append((reverse("practice:caseload"), _("My caseload")))
    if scope.has_role(Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        links.append((reverse("clients:team_list"), _("Teams")))
        links.append((reverse("clients:referral_list"), _("Referrals")))
        links.append((reverse("clients:waitlist"), _("Waitlist")))
        links.append((reverse("practice:supervision"), _("Supervision")))
    if scope.has_role(Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER):
        links.append((reverse("alerts:alert_list"), _("Alerts")))
        links.append((reverse("practice:resources"), _("Community resources")))
    if scope.has_role(Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.ASSESSOR):
        links.append((reverse("fidelity:review_list"), _("Fidelity reviews")))
    elif scope.has_role(Role.AGENCY_ADMIN):
        links.append((reverse("fidelity:scale_list"), _("Fidelity scales")))
    # Participants are clinical staff: the link costs no query, the page says when there is none.
    if scope.has_role(
        Role.TRAINER, Role.AGENCY_ADMIN, Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER
    ):
        links.append((reverse("training:cohort_list"), _("Training")))
    if may_create_projects(user) or is_member_of_any_project(user):
        links.append((reverse("qualitative:project_list"), _("Qualitative")))
    if scope.has_role(Role.RESEARCHER, Role.AGENCY_ADMIN, Role.PROGRAMME_MANAGER):
        links.append((reverse("research:study_list"), _("Research")))
    if scope.has_role(Role.PROGRAMME_MANAGER, Role.AGENCY_ADMIN):
        links.append((reverse("site:configuration"), _("Configuration")))
    if scope.has_role(Role.AGENCY_ADMIN):
        links.append((reverse("accounts:role_changes"), _("Role changes")))
        links.append((reverse("accounts:locked_accounts"), _("Locked accounts")))
        links.append((reverse("api:agency_tokens"), _("API tokens of the agency")))
    if user.is_staff and (user.is_superuser or agency_ids_administered_by(user)):
        links.append((reverse("admin:index"), _("Administration")))
    links.append((reverse("accounts:password_change"), _("Change password")))
    current = request.path
    return {
        "nav_links": [
            {"url": url, "label": label, "current": current.startswith(url)} for url, label in links
        ],
        "user_roles": [Role(role).label for role in sorted(scope.roles)],
    }
