"""Re-evaluate the score alerts of a team as soon as one of its clients' responses is scored."""

from __future__ import annotations

from typing import Any

from tandem.clients.models import Episode
from tandem.measures.signals import response_completed


def evaluate_after_response(*, episode_id: int | None = None, **kwargs: Any) -> None:
    """Evaluate the alliance and outcome rules for the episode's team only."""
    # The rules read scores through tandem.stats (numpy, pandas, statsmodels): imported on the
    # first scored response, not when every process starts.
    from tandem.feedback.rules import SCORE_RULES
    from tandem.feedback.services import evaluate_alerts

    if episode_id is None:
        return
    team_id = Episode.objects.filter(pk=episode_id).values_list("team_id", flat=True).first()
    if team_id is None:
        return
    evaluate_alerts(team_ids=[team_id], rules=SCORE_RULES)


def connect() -> None:
    response_completed.connect(
        evaluate_after_response, dispatch_uid="feedback.evaluate_after_response"
    )
