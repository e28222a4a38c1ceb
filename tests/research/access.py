"""Access rules of the research routes for ``tests/access/test_url_matrix.py``.

The relationships own, team and other team all point at agency A's study over programme P1:
world.researcher leads it, world.agency_admin administers its agency and world.programme_manager
manages P1. The other agency's study answers 404 to them all. Nobody else reaches a study page
(403). The consent pages are part of the client's record: only the people who may open it reach
them; everyone else, researchers included, gets 404.
"""

from __future__ import annotations

from typing import Any

from tandem.research.models import DatasetExport, ExportFormat, ExportStatus, Study
from tests.access.grids import ANON, every, grid, rel
from tests.research.factories import consent_of, study_in
from tests.research.run_records import run_of

IN_AGENCY = rel(200, 200, 200, 404)
STUDY_PAGES = grid(
    every(403), researcher=IN_AGENCY, agency_admin=IN_AGENCY, programme_manager=IN_AGENCY
)
EXPORT_PAGES = grid(every(403), researcher=IN_AGENCY, agency_admin=IN_AGENCY)
RUN_PAGES = grid(every(403), researcher=IN_AGENCY, agency_admin=IN_AGENCY)
CLIENT_RECORD = grid(
    every(404),
    case_manager=rel(200, 404, 404, 404),
    supervisor=rel(200, 200, 404, 404),
    programme_manager=rel(200, 200, 200, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    "research:study_list": (
        ANON,
        grid(
            every(403),
            researcher=every(200),
            agency_admin=every(200),
            programme_manager=every(200),
        ),
    ),
    "research:study_new": (
        ANON,
        grid(every(403), agency_admin=every(200), programme_manager=every(200)),
    ),
    "research:study_detail": (ANON, STUDY_PAGES),
    # The study's lead (world.researcher), its agency's administrator, the manager of P1.
    "research:study_edit": (ANON, STUDY_PAGES),
    "research:study_members": (ANON, STUDY_PAGES),
    "research:client_consent": (ANON, CLIENT_RECORD),
    "research:enrolment_detail": (ANON, CLIENT_RECORD),
    # Exports: the study's members (world.researcher leads it) and its agency's administrator;
    # everyone else 403 (programme managers included), other agencies' exports 404. Only
    # members download (the administrator, no member, gets 403); the GET asks for the password.
    "research:export_list": (ANON, EXPORT_PAGES),
    "research:export_download": (
        ANON,
        grid(every(403), researcher=IN_AGENCY, agency_admin=rel(403, 403, 403, 404)),
    ),
    "research:export_void": (ANON, EXPORT_PAGES),
    # Analysis runs: the study's members (its lead, world.researcher) and its agency's
    # administrators; a programme manager reads the study but not its runs.
    "research:run_new": (ANON, RUN_PAGES),
    "research:run_detail": (ANON, RUN_PAGES),
    "research:run_progress": (ANON, RUN_PAGES),
    "research:run_pdf": (ANON, RUN_PAGES),
    "research:run_void": (ANON, RUN_PAGES),
}


def export_of(study: Study) -> DatasetExport:
    """A finished export of the study (its file is never read by a GET)."""
    found = DatasetExport.objects.filter(study=study).first()
    if found is not None:
        return found
    return DatasetExport.objects.create(
        study=study,
        requested_by=study.created_by,
        format=ExportFormat.CSV,
        status=ExportStatus.DONE,
        progress=100,
        row_count=0,
        sha256="0" * 64,
        data_version=study.data_version,
        file_name=f"research/exports/{study.pk}/matrix.zip",
    )


def research_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a research route and one relationship; None if the route is not ours."""
    if not key.startswith("research:"):
        return None
    if "<int:pk>" not in path:
        return path
    client = objects["client"]
    if key == "research:client_consent":
        pk = client.pk
    elif key == "research:enrolment_detail":
        pk = consent_of(client).pk
    elif key in ("research:export_download", "research:export_void"):
        pk = export_of(study_in(objects["agency"])).pk
    elif key.startswith("research:run_") and key != "research:run_new":
        pk = run_of(study_in(objects["agency"])).pk
    else:
        pk = study_in(objects["agency"]).pk
    return path.replace("<int:pk>", str(pk))
