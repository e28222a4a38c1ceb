"""Re-evaluate a team's score alerts once a client's response is scored or imported, and move
an episode's open alerts with it when it is handed over."""

from __future__ import annotations

from typing import Any

from tandem.accounts.models import User
from tandem.alerts.models import Alert, AlertStatus
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode
from tandem.clients.signals import episode_handed_over
from tandem.measures.signals import response_completed, responses_imported


def evaluate_after_response(*, episode_id: int | None = None, **kwargs: Any) -> None:
    """Evaluate the alliance and outcome rules for the episode's team only."""
    # The rules read scores through tandem.stats (numpy and scipy): imported on the
    # first scored response, not when every process starts.
    from tandem.alerts.rules import SCORE_RULES
    from tandem.alerts.services import evaluate_alerts

    if episode_id is None:
        return
    team_id = Episode.objects.filter(pk=episode_id).values_list("team_id", flat=True).first()
    if team_id is None:
        return
    evaluate_alerts(team_ids=[team_id], rules=SCORE_RULES)


def evaluate_after_import(*, episode_ids: list[int], **kwargs: Any) -> None:
    """Re-check the score alerts of every team the imported responses belong to, once, in the
    background: an import can hold thousands of responses."""
    from tandem.alerts.tasks import evaluate_score_alerts

    team_ids = sorted(
        set(Episode.objects.filter(pk__in=episode_ids).values_list("team_id", flat=True))
    )
    if team_ids:
        evaluate_score_alerts.enqueue(team_ids=team_ids)


def follow_hand_over(*, actor: User, episode: Episode, **kwargs: Any) -> None:
    """The episode's unresolved alerts go to its new team and case manager, who act on them."""
    moved = (
        Alert.objects.filter(episode=episode)
        .exclude(status=AlertStatus.RESOLVED)
        .update(team=episode.team, worker=episode.primary_case_manager)
    )
    if moved:
        record_event(
            actor=actor,
            action=Action.UPDATE,
            object_type="alerts.alert",
            object_id=f"episode:{episode.pk}",
            agency_id=episode.programme.agency_id,
        )


def connect() -> None:
    episode_handed_over.connect(follow_hand_over, dispatch_uid="alerts.follow_hand_over")
    response_completed.connect(
        evaluate_after_response, dispatch_uid="alerts.evaluate_after_response"
    )
    responses_imported.connect(evaluate_after_import, dispatch_uid="alerts.evaluate_after_import")
