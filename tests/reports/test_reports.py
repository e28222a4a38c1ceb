"""PDF reports: asking for one, generating it in the background, listing and downloading it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from tandem.audit.models import Action, AuditEvent, Outcome
from tandem.fidelity.indicators import definitions as d
from tandem.orgs.models import Team
from tandem.reports import build
from tandem.reports.build import run_report
from tandem.reports.models import Report, ReportKind, ReportStatus
from tandem.reports.services import request_report
from tests.conftest import LoginAs, World
from tests.dashboards.factories import (
    caseload,
    completed_response,
    indicator,
    scale_with_domains,
    uniform_review,
)
from tests.factories import EpisodeFactory, MembershipFactory
from tests.reports.factories import ReportFactory

QUARTER = (date(2026, 7, 1), date(2026, 9, 30))


def team_with_data(world: World, team: Team | None = None) -> Team:
    """Two final reviews (totals 28 and 34.5), indicators, and six clients' alliance scores."""
    team = team or world.team
    scale = scale_with_domains(team)
    uniform_review(team, scale, date(2025, 10, 1), 3.5)
    uniform_review(team, scale, date(2026, 8, 15), 4.3125)  # total 34.50
    for weeks in (0, 12):
        day = date(2026, 9, 28) - timedelta(weeks=weeks)
        caseload(team, day, clients=24)
        indicator(team, day, d.RECOVERY_PLAN_CURRENT, 0.7 - weeks / 100)
    for score in (74.0, 75.0, 76.0, 75.0, 74.0, 76.0):
        episode = EpisodeFactory.create(team=team, primary_case_manager=world.case_manager)
        completed_response(episode, "rprs", date(2026, 8, 1), score)
    # Four clients in the quarter before: a small cell.
    for score in (73.0, 74.0, 75.0, 76.0):
        episode = EpisodeFactory.create(team=team, primary_case_manager=world.case_manager)
        completed_response(episode, "rprs", date(2026, 5, 1), score)
    return team


def generate(
    world: World,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    **fields: Any,
) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(language="en", **fields)
    report.refresh_from_db()
    return report


def pages_of(pdf: bytes) -> list[tuple[np.ndarray, str]]:
    """Each page rendered to pixels (RGB) and its extracted text."""
    document = pdfium.PdfDocument(pdf)
    found = []
    for page in document:
        pixels = page.render(scale=1).to_numpy()
        found.append((pixels, page.get_textpage().get_text_range()))
    return found


# ---- the PDF itself ---------------------------------------------------------------------------
def test_a_team_report_renders_to_non_empty_pages_showing_its_numbers(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    team = team_with_data(world)
    report = generate(
        world,
        django_capture_on_commit_callbacks,
        actor=world.supervisor,
        kind=ReportKind.TEAM_QUARTER,
        team=team,
        start=QUARTER[0],
        end=QUARTER[1],
    )
    assert report.status == ReportStatus.DONE
    assert report.finished_at is not None
    pages = pages_of(bytes(report.pdf))  # type: ignore[arg-type]  # a finished report holds its PDF
    assert len(pages) > 1
    for pixels, _text in pages:
        assert (pixels[..., :3] < 200).any(), "a blank page"
    text = "\n".join(text for _pixels, text in pages)
    assert "34.50" in text  # the latest review's total, in the reviews table
    assert team.name in text


def test_a_team_report_names_no_client_and_suppresses_small_cells(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    team = team_with_data(world)
    report = generate(
        world,
        django_capture_on_commit_callbacks,
        actor=world.supervisor,
        kind=ReportKind.TEAM_QUARTER,
        team=team,
        start=QUARTER[0],
        end=QUARTER[1],
    )
    text = "\n".join(text for _pixels, text in pages_of(bytes(report.pdf)))  # type: ignore[arg-type]  # a finished report holds its PDF
    assert "<5" in text
    for episode in team.episodes.select_related("client"):
        assert episode.client.family_name not in text


def test_a_programme_report_renders_the_programme_dashboard_and_team_fidelity(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    team_with_data(world)
    report = generate(
        world,
        django_capture_on_commit_callbacks,
        actor=world.programme_manager,
        kind=ReportKind.PROGRAMME,
        programme=world.programme,
        start=date(2025, 10, 1),
        end=date(2026, 9, 30),
    )
    assert report.status == ReportStatus.DONE
    assert report.team is None
    pages = pages_of(bytes(report.pdf))  # type: ignore[arg-type]  # a finished report holds its PDF
    assert len(pages) > 1
    for pixels, _text in pages:
        assert (pixels[..., :3] < 200).any(), "a blank page"
    text = "\n".join(text for _pixels, text in pages)
    assert "34.50" in text
    assert world.programme.name in text


def test_the_report_is_written_in_the_language_it_was_asked_in(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    team_with_data(world)
    with django_capture_on_commit_callbacks(execute=True):
        report = request_report(
            actor=world.supervisor,
            kind=ReportKind.TEAM_QUARTER,
            team=world.team,
            start=QUARTER[0],
            end=QUARTER[1],
            language="fr",
        )
    report.refresh_from_db()
    text = "\n".join(text for _pixels, text in pages_of(bytes(report.pdf)))  # type: ignore[arg-type]  # a finished report holds its PDF
    assert "34,50" in text  # French decimal comma


def test_quarters_offered_are_the_current_and_the_seven_before() -> None:
    from tandem.reports.forms import quarter_bounds, recent_quarters

    quarters = recent_quarters(date(2026, 11, 23))
    assert quarters[0] == (2026, 4)
    assert quarters[-1] == (2025, 1)
    assert len(quarters) == 8
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds(2024, 1) == (date(2024, 1, 1), date(2024, 3, 31))


# ---- background run --------------------------------------------------------------------------
def test_a_failed_generation_keeps_a_short_error_without_personal_data(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = ReportFactory.create(team=world.team, requested_by=world.supervisor)

    def broken(_report: Report) -> bytes:
        raise ValueError(f"could not draw {world.own_client.family_name}")

    monkeypatch.setattr(build, "render_report_pdf", broken)
    assert run_report(report.pk) == ReportStatus.FAILED
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "ValueError"
    assert report.finished_at is not None
    assert report.pdf is None
    assert AuditEvent.objects.filter(
        object_type="reports.report", object_id=str(report.pk), outcome=Outcome.FAILED
    ).exists()


def test_generation_fails_for_someone_who_lost_access_to_the_team(world: World) -> None:
    report = ReportFactory.create(team=world.other_team, requested_by=world.supervisor)
    assert run_report(report.pk) == ReportStatus.FAILED
    report.refresh_from_db()
    assert report.pdf is None


def test_the_task_is_only_enqueued_once_the_request_commits(world: World) -> None:
    report = request_report(
        actor=world.supervisor,
        kind=ReportKind.TEAM_QUARTER,
        team=world.team,
        start=QUARTER[0],
        end=QUARTER[1],
        language="en",
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED


# ---- the request page -------------------------------------------------------------------------
def post_request(http: HttpClient, **data: object) -> object:
    return http.post(reverse("reports:report_request"), data)


def test_a_supervisor_asks_for_a_quarterly_team_report(
    world: World,
    login_as: LoginAs,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    http = login_as(world.supervisor)
    quarter = http.get(reverse("reports:report_list")).context["team_form"].fields["quarter"]
    year_quarter = quarter.choices[1][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("reports:report_request"),
            {"kind": "team_quarter", "team": world.team.pk, "quarter": year_quarter},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert response.status_code == 302
    report = Report.objects.get()
    year, number = (int(part) for part in year_quarter.split("-"))
    assert report.period_start == date(year, 3 * number - 2, 1)
    assert (report.kind, report.team, report.programme) == (
        ReportKind.TEAM_QUARTER,
        world.team,
        world.programme,
    )
    assert report.language == "fr"
    assert report.status == ReportStatus.DONE
    assert AuditEvent.objects.filter(
        action=Action.CREATE, object_type="reports.report", actor_id=world.supervisor.pk
    ).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "team_quarter", "quarter": "2026-3"}, "team"),
        ({"kind": "team_quarter", "team": "TEAM"}, "quarter"),
        ({"kind": "team_quarter", "team": "OTHER", "quarter": "2026-3"}, "team"),
        ({"kind": "team_quarter", "team": "TEAM", "quarter": "1999-1"}, "quarter"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_a_bad_team_report_request_is_refused_naming_the_field(
    world: World, login_as: LoginAs, data: dict[str, str], field: str
) -> None:
    teams = {"TEAM": str(world.team.pk), "OTHER": str(world.other_team.pk)}
    data = {key: teams.get(value, value) for key, value in data.items()}
    response = login_as(world.supervisor).post(reverse("reports:report_request"), data)
    assert response.status_code == 400
    form = response.context["team_form"] if data["kind"] != "nonsense" else None
    if form is not None:
        assert field in form.errors
    assert not Report.objects.exists()


def test_a_supervisor_cannot_ask_for_a_programme_report(world: World, login_as: LoginAs) -> None:
    response = login_as(world.supervisor).post(
        reverse("reports:report_request"),
        {
            "kind": "programme",
            "programme": world.programme.pk,
            "start": "2026-01-01",
            "end": "2026-06-30",
        },
    )
    assert response.status_code == 400
    assert "programme" in response.context["programme_form"].errors


def test_a_programme_report_period_must_end_after_it_starts(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.programme_manager).post(
        reverse("reports:report_request"),
        {
            "kind": "programme",
            "programme": world.programme.pk,
            "start": "2026-06-30",
            "end": "2026-01-01",
        },
    )
    assert response.status_code == 400
    form = response.context["programme_form"]
    assert "end" in form.errors
    assert form.data["start"] == "2026-06-30"


def test_a_case_manager_cannot_ask_for_a_report(world: World, login_as: LoginAs) -> None:
    response = login_as(world.case_manager).post(
        reverse("reports:report_request"),
        {"kind": "team_quarter", "team": world.team.pk, "quarter": "2026-3"},
    )
    assert response.status_code == 403


# ---- list and download ------------------------------------------------------------------------
def test_supervisors_list_their_teams_reports_and_managers_their_programmes(
    world: World, login_as: LoginAs
) -> None:
    own = ReportFactory.create(team=world.team, requested_by=world.supervisor)
    other_team = ReportFactory.create(team=world.other_team, requested_by=world.programme_manager)
    programme = ReportFactory.create(
        kind=ReportKind.PROGRAMME,
        team=None,
        programme=world.programme,
        requested_by=world.programme_manager,
    )
    ReportFactory.create(team=world.other_agency_team, requested_by=world.other_agency_case_manager)
    listed = login_as(world.supervisor).get(reverse("reports:report_list")).context["reports"]
    assert listed == [own]
    listed = (
        login_as(world.programme_manager).get(reverse("reports:report_list")).context["reports"]
    )
    assert set(listed) == {own, other_team, programme}


@pytest.mark.parametrize("count", [1, 6])
def test_the_report_list_costs_the_same_queries_however_many_reports(
    world: World, count: int, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _k in range(count):
        ReportFactory.create(
            team=world.team, requested_by=world.supervisor, status=ReportStatus.DONE, pdf=b"%PDF"
        )
    http = HttpClient()
    http.force_login(world.programme_manager)
    with django_assert_max_num_queries(18):
        assert http.get(reverse("reports:report_list")).status_code == 200


def test_a_finished_report_downloads_as_an_attachment_audited_as_an_export(
    world: World, login_as: LoginAs
) -> None:
    report = ReportFactory.create(
        team=world.team, requested_by=world.supervisor, status=ReportStatus.DONE, pdf=b"%PDF-1.7 x"
    )
    response = login_as(world.programme_manager).get(
        reverse("reports:report_download", args=[report.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == b"%PDF-1.7 x"
    assert AuditEvent.objects.filter(
        actor_id=world.programme_manager.pk,
        action=Action.EXPORT,
        object_type="reports.report",
        object_id=str(report.pk),
    ).exists()


def test_another_teams_report_is_not_found(world: World, login_as: LoginAs) -> None:
    report = ReportFactory.create(
        team=world.other_team,
        requested_by=world.programme_manager,
        status=ReportStatus.DONE,
        pdf=b"%PDF",
    )
    response = login_as(world.supervisor).get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        actor_id=world.supervisor.pk, object_type="reports.report", outcome=Outcome.DENIED
    ).exists()


def test_a_report_not_yet_generated_is_not_found(world: World, login_as: LoginAs) -> None:
    report = ReportFactory.create(team=world.team, requested_by=world.supervisor)
    response = login_as(world.supervisor).get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 404


def test_a_programme_report_is_hidden_from_a_supervisor_of_one_of_its_teams(
    world: World, login_as: LoginAs
) -> None:
    report = ReportFactory.create(
        kind=ReportKind.PROGRAMME,
        team=None,
        programme=world.programme,
        requested_by=world.programme_manager,
        status=ReportStatus.DONE,
        pdf=b"%PDF",
    )
    response = login_as(world.supervisor).get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 404


def test_a_supervisor_of_two_teams_sees_both_teams_reports(world: World, login_as: LoginAs) -> None:
    from tandem.accounts.models import Role

    MembershipFactory.create(user=world.supervisor, role=Role.SUPERVISOR, team=world.other_team)
    report = ReportFactory.create(
        team=world.other_team,
        requested_by=world.programme_manager,
        status=ReportStatus.DONE,
        pdf=b"%PDF",
    )
    response = login_as(world.supervisor).get(reverse("reports:report_download", args=[report.pk]))
    assert response.status_code == 200
