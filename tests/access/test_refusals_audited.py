"""Every refusal of a scoped object is audited, whichever guard refuses it.

The URL matrix (test_url_matrix.py) checks each page's 404s leave one denied event. The guards
below sit behind other checks on today's pages (the client is looked up first), so they are
called directly here: each must audit its own refusal, whoever calls it next.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.http import Http404

import tandem
from tandem.audit.models import AuditEvent, Outcome
from tandem.clients import selectors as clients
from tandem.measures import selectors as measures
from tandem.orgs import selectors as orgs
from tandem.practice import selectors as practice
from tests.conftest import World

TODAY = date(2026, 6, 1)

GUARDS: dict[str, Callable[[World], object]] = {
    "team": lambda w: orgs.get_team_for(w.supervisor, w.other_team.pk),
    "client episodes": lambda w: clients.client_episodes_for(w.case_manager, w.other_team_client),
    "client responses": lambda w: measures.client_responses_for(
        w.case_manager, w.other_team_client
    ),
    "strengths assessments": lambda w: practice.assessments_for(
        w.case_manager, w.other_team_client
    ),
    "recovery plan": lambda w: practice.plan_for(
        w.case_manager, w.other_team_client.episodes.get()
    ),
    "contacts": lambda w: practice.recent_contacts_for(w.case_manager, w.other_team_client),
    "team contact figures": lambda w: practice.contact_figures_for_team(
        w.supervisor, w.other_team, today=TODAY
    ),
    "supervision overview": lambda w: practice.supervision_overview_for(w.supervisor, w.other_team),
}


@pytest.mark.parametrize("guard", GUARDS.values(), ids=GUARDS.keys())
def test_a_refused_read_answers_404_and_leaves_one_denied_event(
    world: World, guard: Callable[[World], object]
) -> None:
    before = AuditEvent.objects.filter(outcome=Outcome.DENIED).count()
    with pytest.raises(Http404):
        guard(world)
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED).count() == before + 1


def test_only_the_audited_refusal_raises_http404() -> None:
    """A bare ``raise Http404`` anywhere else would be a refusal without an audit event."""
    package = Path(tandem.__file__).parent
    allowed = package / "core" / "access.py"
    bare = []
    for source in package.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Raise)
                and node.exc is not None
                and "Http404" in ast.unparse(node.exc)
                and source != allowed
            ):
                bare.append(f"{source.relative_to(package)}:{node.lineno}")
    assert bare == []
