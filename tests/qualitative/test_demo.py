"""The demo's qualitative study: three transcripts, a three-level codebook, two coders who
partly differ, one transcript reconciled, memos, a codebook version and two member checks."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from tandem.accounts.models import User
from tandem.qualitative import demo
from tandem.qualitative.agreement import differences, project_agreement
from tandem.qualitative.coders import Coder
from tandem.qualitative.models import ChangeKind, Code, Coding, Project, ProjectRole
from tandem.qualitative.services.coding import neither_stretches
from tandem.site.demo import DEMO_SLUG

pytestmark = pytest.mark.demo


def _project() -> Project:
    return Project.objects.get(agency__slug=DEMO_SLUG, title=demo.PROJECT_TITLE)


@pytest.mark.usefixtures("demo_db")
def test_the_demo_study_has_its_promised_shape() -> None:
    project = _project()
    lead = User.objects.get(email="researcher@riverbend.example")
    analyst = User.objects.get(email="analyst@riverbend.example")
    roles = dict(project.members.values_list("user__email", "role"))
    assert roles == {lead.email: ProjectRole.LEAD, analyst.email: ProjectRole.CODER}
    documents = list(project.documents.order_by("title"))
    assert len(documents) == 3
    for document in documents:
        words = len(document.text.split())
        assert 600 <= words <= 1200, (document.title, words)
        assert document.case is not None
        values = {v.attribute.name: v.value for v in document.case.values.all()}
        assert set(values) == {"Gender", "Programme"}
        assert all(values.values())
    # Categories, themes, codes: three levels, every code defined.
    codes = list(project.codes.all())
    depth = {}
    for code in codes:
        level, node = 0, code
        while node.parent_id is not None:
            level, node = level + 1, Code.objects.get(pk=node.parent_id)
        depth[code.pk] = level
        assert code.definition
    assert set(depth.values()) == {0, 1, 2}
    assert sum(1 for level in depth.values() if level == 2) >= 10
    # Both coders coded every transcript, and they differ somewhere in each.
    lead_coder, analyst_coder = Coder(lead), Coder(analyst)
    for document in documents:
        for coder in (lead, analyst):
            assert Coding.objects.filter(
                document=document, coder=coder, is_consensus=False
            ).exists()
        assert any(differences(document, code, lead_coder, analyst_coder) for code in codes), (
            document.title
        )
    found = project_agreement(project)
    assert found is not None
    assert {found.coder_a.key, found.coder_b.key} == {lead_coder.key, analyst_coder.key}
    assert 0 < found.overall.kappa < 1
    # One transcript reconciled: every difference there has a consensus or a neither.
    consensus = Coding.objects.filter(document__project=project, is_consensus=True)
    assert consensus.values("document").distinct().count() == 1
    reconciled = consensus.first().document  # type: ignore[union-attr]  # checked above
    for code in codes:
        agreed = list(consensus.filter(code=code).values_list("start", "end"))
        for difference in differences(reconciled, code, lead_coder, analyst_coder):
            stretches = agreed + neither_stretches(reconciled, code)
            assert any(s < difference.end and e > difference.start for s, e in stretches)
    assert project.changes.filter(kind=ChangeKind.RECONCILE).count() >= 1
    assert project.memos.count() >= 3
    assert project.codebook_versions.count() == 1
    checks = project.member_checks
    assert checks.filter(answered_at__isnull=False, agrees=True).count() == 1
    assert checks.filter(answered_at__isnull=True).count() == 1


@pytest.mark.usefixtures("demo_db")
def test_the_demo_prints_the_study_logins_with_their_purpose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", "--no-serve")
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("login: ")]
    members = _project().members.values_list("user__email", flat=True)
    for email in members:
        line = next(ln for ln in lines if ln.split()[2] == email)
        assert "qualitative" in line
        http = HttpClient()
        http.force_login(User.objects.get(email=email))
        page = http.get(reverse("qualitative:project_detail", args=[_project().pk]))
        assert page.status_code == 200
