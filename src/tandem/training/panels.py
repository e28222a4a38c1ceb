"""The training panel of people's start pages: their next session (see core.home_panels)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from tandem.accounts.models import User
from tandem.training.selectors import next_session_for


def next_session_panel(request: HttpRequest) -> SafeString | str:
    """The next training session of a participant or trainer; nothing for anyone else."""
    user = request.user
    if not isinstance(user, User):
        return ""
    session = next_session_for(user)
    if session is None:
        return ""
    turn = session.presentations.filter(participant__user=user).exists()
    return render_to_string(
        "training/_next_session.html", {"session": session, "is_presenting": turn}, request
    )
