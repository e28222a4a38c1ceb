"""The training panel of people's start pages: their next session (see core.home_panels)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tandem.accounts.models import User
from tandem.training.selectors import efficacy_waves_open_for, next_session_for


def next_session_panel(request: HttpRequest) -> SafeString | str:
    """The next training session of a participant or trainer, and the self-efficacy
    questionnaires a participant has still to answer; nothing for anyone else."""
    user = request.user
    if not isinstance(user, User):
        return ""
    session = next_session_for(user)
    due = [d.wave for d in efficacy_waves_open_for(user) if not d.is_answered]
    if session is None and not due:
        return ""
    turn = session is not None and session.presentations.filter(participant__user=user).exists()
    return render_to_string(
        "training/_next_session.html",
        {"session": session, "is_presenting": turn, "waves_due": due},
        request,
    )
