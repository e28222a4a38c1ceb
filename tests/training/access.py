"""Access rules of the training routes for ``tests/access/test_url_matrix.py``.

The relationships own, team and other team all point at agency A's cohort: world.trainer
trains it, the case managers of agency A take part (world.case_manager presented first), and
world.agency_admin administers its agency. The other agency's cohort answers 404 to them all.
Everyone else (supervisor, programme manager, assessor, researcher) is no member: 404.
"""

from __future__ import annotations

from typing import Any

from tests.access.grids import ANON, every, grid, rel
from tests.training.factories import a_follow_up, accepted_swap, baseline_wave, held_cohort

IN_COHORT = rel(200, 200, 200, 404)
MEMBERS = grid(every(404), case_manager=IN_COHORT, trainer=IN_COHORT, agency_admin=IN_COHORT)
MANAGERS = grid(
    every(404),
    case_manager=rel(403, 403, 403, 404),
    trainer=IN_COHORT,
    agency_admin=IN_COHORT,
)
# Self-efficacy results are read by the cohort's trainers only, not its agencies' administrators.
TRAINERS = grid(
    every(404),
    case_manager=rel(403, 403, 403, 404),
    trainer=IN_COHORT,
    agency_admin=rel(403, 403, 403, 404),
)
PRESENTER = grid(
    every(404),
    case_manager=IN_COHORT,
    trainer=rel(403, 403, 403, 404),
    agency_admin=rel(403, 403, 403, 404),
)

# route name -> (anonymous answer, role -> relationship -> answer); see test_url_matrix.
EXPECTED: dict[str, tuple[int, dict[str, dict[str, int]]]] = {
    # Everyone signed in: the list shows their cohorts, or says how to join one.
    "training:cohort_list": (ANON, grid(every(200))),
    "training:my_training": (ANON, grid(every(200))),
    "training:cohort_new": (ANON, grid(every(403), trainer=every(200), agency_admin=every(200))),
    "training:cohort_detail": (ANON, MEMBERS),
    "training:note_search": (ANON, MEMBERS),
    "training:session_detail": (ANON, MEMBERS),
    "training:material_download": (ANON, MEMBERS),
    "training:note": (ANON, MEMBERS),
    # Trainers and the agency's administrators correct a cohort; participants read it.
    "training:cohort_edit": (ANON, MANAGERS),
    # Only the presenter writes their follow-up.
    "training:follow_up": (ANON, PRESENTER),
    # Its writer corrects or voids a follow-up; to anyone else it does not exist.
    "training:follow_up_edit": (ANON, grid(every(404), case_manager=IN_COHORT)),
    # Self-efficacy: the trainers open waves and read the report; each participant answers.
    "training:efficacy": (ANON, TRAINERS),
    "training:efficacy_pdf": (ANON, TRAINERS),
    "training:efficacy_answer": (ANON, PRESENTER),
    # POST only: a GET is refused before anything is looked up.
    "training:swap_request": (ANON, grid(every(405))),
    "training:swap_answer": (ANON, grid(every(405))),
    "training:interview_project": (ANON, grid(every(405))),
    # The trainers (and the agency's administrators) undo an accepted swap; of the
    # participants, only its two (world.case_manager is not one of them here).
    "training:swap_undo": (ANON, MANAGERS),
    # The trainers correct or void a self-efficacy wave.
    "training:wave_edit": (ANON, TRAINERS),
}


def training_path(key: str, path: str, objects: dict[str, Any]) -> str | None:
    """A real URL for a training route and one relationship; None if the route is not ours."""
    if not key.startswith("training:"):
        return None
    if "<int:pk>" not in path:
        return path
    cohort = held_cohort(objects["agency"])
    session = cohort.sessions.order_by("held_on").first()
    assert session is not None  # held_cohort schedules sessions
    presentation = session.presentations.get()
    pk = {
        "training:session_detail": session.pk,
        "training:material_download": session.materials.get().pk,
        "training:note": presentation.pk,
        "training:follow_up": presentation.note.pk,
    }.get(key, cohort.pk)
    if key == "training:follow_up_edit":
        pk = a_follow_up(cohort).pk
    if key in ("training:efficacy_answer", "training:wave_edit"):
        pk = baseline_wave(cohort).pk
    if key == "training:swap_undo":
        pk = accepted_swap(cohort).pk
    if key == "training:swap_answer":
        pk = 999_999  # POST only: the id is never looked up
    return path.replace("<int:pk>", str(pk))
