"""The demo agency carries practice records that its pages show."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tandem.accounts.models import User
from tandem.clients.models import Referral, ReferralStatus
from tandem.practice.models import (
    AgreedAction,
    AgreedActionStatus,
    ClientPresentation,
    Contact,
    RecoveryPlan,
    StrengthsAssessment,
)
from tandem.site.demo import DEMO_DOMAIN, load_demo

pytestmark = [pytest.mark.demo, pytest.mark.usefixtures("demo_db")]


def signed_in(email: str) -> HttpClient:
    http = HttpClient()
    http.force_login(User.objects.get(email=f"{email}@{DEMO_DOMAIN}"))
    return http


def test_demo_has_practice_records_and_their_pages_answer() -> None:
    load_demo()
    assert Referral.objects.filter(status=ReferralStatus.WAITLISTED).exists()
    assert Referral.objects.filter(status=ReferralStatus.DECLINED).exists()
    assert StrengthsAssessment.objects.exists()
    assert RecoveryPlan.objects.exists()
    assert Contact.objects.exists()
    assert ClientPresentation.objects.exists()
    statuses = set(AgreedAction.objects.values_list("status", flat=True))
    assert statuses == {AgreedActionStatus.OPEN, AgreedActionStatus.DONE}

    supervisor = signed_in("supervisor1")
    for path in ("/supervision/", "/waitlist/", "/referrals/", "/resources/"):
        assert supervisor.get(path).status_code == 200, path
    worker = signed_in("cm11")
    caseload = worker.get("/caseload/")
    assert caseload.status_code == 200
    with_plan = next(row for row in caseload.context["rows"] if row["next_step"] is not None)
    client_pk = with_plan["client"].pk
    for page in ("strengths", "plan", "contacts"):
        assert worker.get(f"/clients/{client_pk}/{page}/").status_code == 200, page
