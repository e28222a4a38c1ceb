"""Access rules of the qualitative routes for ``tests/access/test_url_matrix.py``.

A project is seen by its members only. For each relationship the matrix opens a different
project (``qualitative_objects``):

- own: agency A; the researcher leads it, the trainer codes, the assessor reads;
- team: agency A; the researcher reads, the case manager codes, someone else leads;
- other_team: agency A, with none of the test world's people as members;
- other_agency: agency Z.

Non-members get 404 wherever the project is named; members whose project role does not allow
a page get 403.
"""

from __future__ import annotations

from typing import Any

from tandem.qualitative.models import ProjectRole
from tests.access.grids import every, grid, rel
from tests.conftest import World
from tests.qualitative.factories import agency_person, open_member_check, project_with

MEMBERS_READ = grid(
    every(404),
    researcher=rel(200, 200, 404, 404),
    trainer=rel(200, 404, 404, 404),
    assessor=rel(200, 404, 404, 404),
    case_manager=rel(404, 200, 404, 404),
)
LEADS_ONLY = grid(
    every(404),
    researcher=rel(200, 403, 404, 404),
    trainer=rel(403, 404, 404, 404),
    assessor=rel(403, 404, 404, 404),
    case_manager=rel(404, 403, 404, 404),
)
# Leads and coders write memos; the memo of each project is written by its coder.
MEMO_WRITERS = grid(
    every(404),
    researcher=rel(200, 403, 404, 404),
    trainer=rel(200, 404, 404, 404),
    assessor=rel(403, 404, 404, 404),
    case_manager=rel(404, 200, 404, 404),
)
# Leads and coders see the agreement between coders; viewers do not.
CODERS_READ = grid(
    every(404),
    researcher=rel(200, 403, 404, 404),
    trainer=rel(200, 404, 404, 404),
    assessor=rel(403, 404, 404, 404),
    case_manager=rel(404, 200, 404, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # Everyone signed in has a list (perhaps empty, saying what to do).
    "qualitative:project_list": (302, grid(every(200))),
    "qualitative:project_new": (
        302,
        grid(
            every(403),
            researcher=every(200),
            programme_manager=every(200),
            agency_admin=every(200),
        ),
    ),
    "qualitative:project_detail": (302, MEMBERS_READ),
    "qualitative:project_edit": (302, LEADS_ONLY),
    "qualitative:member_list": (302, MEMBERS_READ),
    "qualitative:member_edit": (302, LEADS_ONLY),
    "qualitative:project_history": (302, MEMBERS_READ),
    "qualitative:attribute_list": (302, LEADS_ONLY),
    "qualitative:attribute_edit": (302, LEADS_ONLY),
    "qualitative:case_list": (302, MEMBERS_READ),
    "qualitative:case_new": (302, LEADS_ONLY),
    "qualitative:case_detail": (302, MEMBERS_READ),
    "qualitative:case_edit": (302, LEADS_ONLY),
    "qualitative:document_list": (302, MEMBERS_READ),
    "qualitative:document_new": (302, LEADS_ONLY),
    "qualitative:document_detail": (302, MEMBERS_READ),
    "qualitative:document_edit": (302, LEADS_ONLY),
    "qualitative:codebook": (302, MEMBERS_READ),
    "qualitative:code_new": (302, LEADS_ONLY),
    "qualitative:codebook_versions": (302, MEMBERS_READ),
    "qualitative:codebook_compare": (302, MEMBERS_READ),
    "qualitative:code_detail": (302, MEMBERS_READ),
    "qualitative:code_edit": (302, LEADS_ONLY),
    "qualitative:code_reorder": (302, grid(every(405))),  # POST only
    "qualitative:code_merge": (302, LEADS_ONLY),
    "qualitative:memo_list": (302, MEMBERS_READ),
    "qualitative:memo_new": (302, MEMO_WRITERS),
    "qualitative:memo_edit": (302, MEMO_WRITERS),
    # Coding in the browser, agreement between coders, reconciliation.
    "qualitative:coding_add": (302, grid(every(405))),  # POST only
    "qualitative:coding_remove": (302, grid(every(405))),  # POST only
    "qualitative:agreement": (302, CODERS_READ),
    "qualitative:disagreement": (302, LEADS_ONLY),
    # REFI-QDA exchange: members export (viewers too: they read everything exported);
    # those who may start projects import one; leads import a codebook.
    "qualitative:project_import": (
        302,
        grid(
            every(403),
            researcher=every(200),
            programme_manager=every(200),
            agency_admin=every(200),
        ),
    ),
    "qualitative:project_export": (302, MEMBERS_READ),
    "qualitative:codebook_export": (302, MEMBERS_READ),
    "qualitative:codebook_import": (302, LEADS_ONLY),
    # Retrieval, matrices, member checking and the project timeline.
    "qualitative:retrieval": (302, MEMBERS_READ),
    "qualitative:case_matrix": (302, MEMBERS_READ),
    "qualitative:cross_case": (302, MEMBERS_READ),
    "qualitative:co_occurrence": (302, MEMBERS_READ),
    "qualitative:member_check_list": (302, MEMBERS_READ),
    "qualitative:member_check_new": (302, LEADS_ONLY),
    "qualitative:project_timeline": (302, LEADS_ONLY),
    # The participant's one-time link: an unknown token is refused alike for everyone.
    "qualitative:member_check_answer": (410, grid(every(410))),
    "qualitative:member_check_withdraw": (302, LEADS_ONLY),
}


def qualitative_objects(world: World) -> dict[str, dict[str, Any]]:
    """The project each relationship opens, with one record of each kind, by name."""
    sets = {
        "own": project_with(
            world.agency,
            lead=world.researcher,
            members={world.trainer: ProjectRole.CODER, world.assessor: ProjectRole.VIEWER},
            memo_author=world.trainer,
        ),
        "team": project_with(
            world.agency,
            members={world.researcher: ProjectRole.VIEWER, world.case_manager: ProjectRole.CODER},
            memo_author=world.case_manager,
        ),
        "other_team": project_with(world.agency, lead=agency_person(world.agency)),
        "other_agency": project_with(world.other_agency),
    }
    return {
        relationship: {**vars(found), "check": open_member_check(found)}
        for relationship, found in sets.items()
    }


_IDS = {
    "<int:member_pk>": "member",
    "<int:attribute_pk>": "attribute",
    "<int:case_pk>": "case",
    "<int:document_pk>": "document",
    "<int:code_pk>": "code",
    "<int:memo_pk>": "memo",
    "<int:check_pk>": "check",
}


def qualitative_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a qualitative route and one relationship; None if the route is not ours."""
    if not key.startswith("qualitative:"):
        return None
    found = objects["qualitative"]
    path = path.replace("<str:token>", "no-such-token")
    path = path.replace("<int:pk>", str(found["project"].pk))
    for placeholder, name in _IDS.items():
        path = path.replace(placeholder, str(found[name].pk))
    return path
