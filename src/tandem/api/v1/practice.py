"""Contacts and recovery plans (goals and steps)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from tandem.api.auth import acting_user, token_of
from tandem.api.conventions import (
    ProblemError,
    expected_version,
    field_problem,
    idempotent,
)
from tandem.api.schemas import (
    ContactIn,
    ContactOut,
    GoalStatusIn,
    PlanOut,
    ProblemOut,
    StepStatusIn,
    StepStatusOut,
)
from tandem.api.v1.common import PROBLEMS, Id, json_response
from tandem.clients import selectors as client_selectors
from tandem.clients.models import Episode
from tandem.practice import selectors as practice_selectors
from tandem.practice import services as practice_services
from tandem.practice.models import Contact, RecoveryPlan
from tandem.practice.services import PlanChangedError

router = Router()


# ---- contacts ------------------------------------------------------------------------------------
CONTACTS_LISTED = 100


def _contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "client_id": contact.client_id,
        "episode_id": contact.episode_id,
        "worker_id": contact.worker_id,
        "occurred_on": contact.occurred_on,
        "minutes": contact.minutes,
        "mode": contact.mode,
        "with_whom": contact.with_whom,
        "note": contact.note,
        "voided_at": contact.voided_at,
    }


@router.get(
    "/clients/{int:pk}/contacts",
    response={200: list[ContactOut], **PROBLEMS},
    url_name="client_contacts",
    tags=["practice"],
)
def client_contacts(request: HttpRequest, pk: Id) -> Any:
    """The client's latest contacts (up to 100), newest first, voided ones marked."""
    user = acting_user(request, "read:practice")
    client = client_selectors.get_client_for(user, pk)
    contacts = practice_selectors.recent_contacts_for(user, client, limit=CONTACTS_LISTED)
    return [_contact_out(contact) for contact in contacts]


@router.post(
    "/clients/{int:pk}/contacts",
    response={201: ContactOut, **PROBLEMS},
    url_name="client_contacts",
    tags=["practice"],
)
def client_contact_record(request: HttpRequest, pk: Id, payload: ContactIn) -> Any:
    """Log a contact in the client's current episode, as the page does (``Idempotency-Key``)."""
    user = acting_user(request, "write:practice")
    client = client_selectors.get_client_for(user, pk)
    episode = practice_selectors.current_episode_for(user, client)
    if episode is None:
        raise field_problem(
            422, "client", _("This client has no open episode to log a contact in."), "no_episode"
        )

    def record() -> HttpResponse:
        contact = practice_services.record_contact(
            actor=user,
            episode=episode,
            occurred_on=payload.occurred_on,
            minutes=payload.minutes,
            mode=payload.mode,
            with_whom=payload.with_whom,
            note=payload.note,
        )
        return json_response(201, _contact_out(contact))

    return idempotent(request, token_of(request), record)


# ---- recovery plans ------------------------------------------------------------------------------
def _plan_etag(episode_id: int | None, version: int) -> str:
    # Keyed by the episode: a plan not yet made (version 0) has an ETag too, as on the page.
    return f'"practice.recoveryplan-episode{episode_id}-v{version}"'


def _plan_out(episode: Episode | None, plan: RecoveryPlan | None) -> dict[str, Any]:
    goals = []
    if plan is not None:
        for goal in plan.goals.all():
            steps = [
                {
                    "id": step.pk,
                    "action": step.action,
                    "responsible": step.responsible,
                    "due_on": step.due_on,
                    "status": step.status,
                    "completed_on": step.completed_on,
                    "resource_id": step.resource_id,
                }
                for step in goal.steps.all()
                if step.voided_at is None
            ]
            if goal.voided_at is None:
                goals.append(
                    {
                        "id": goal.pk,
                        "domain": goal.domain,
                        "own_words": goal.own_words,
                        "status": goal.status,
                        "achieved_on": goal.achieved_on,
                        "steps": steps,
                    }
                )
    return {
        "id": plan.pk if plan else None,
        "episode_id": episode.pk if episode else None,
        "vision": plan.vision if plan else "",
        "version": plan.version if plan else 0,
        "goals": goals,
    }


@router.get(
    "/clients/{int:pk}/plan",
    response={200: PlanOut, **PROBLEMS},
    url_name="client_plan",
    tags=["practice"],
)
def client_plan(request: HttpRequest, pk: Id, response: HttpResponse) -> Any:
    """The recovery plan of the client's current episode, with its ETag (version 0: none yet)."""
    user = acting_user(request, "read:practice")
    client = client_selectors.get_client_for(user, pk)
    episode = practice_selectors.current_episode_for(user, client)
    plan = practice_selectors.plan_for(user, episode) if episode is not None else None
    found = _plan_out(episode, plan)
    response["ETag"] = _plan_etag(found["episode_id"], found["version"])
    return found


def _change_status(
    request: HttpRequest, episode: Episode, change: Callable[[int], Any], response: HttpResponse
) -> None:
    plan = RecoveryPlan.objects.filter(episode=episode).first()
    version = plan.version if plan else 0
    expected_version(request, _plan_etag(episode.pk, version), version)
    try:
        change(version)
    except PlanChangedError as error:
        raise ProblemError(
            status=412,
            title=_("The resource was changed meanwhile."),
            detail=_("Read it again and send its new ETag in If-Match."),
            code="stale",
        ) from error
    response["ETag"] = _plan_etag(episode.pk, version + 1)


@router.post(
    "/steps/{int:pk}/status",
    response={200: StepStatusOut, 412: ProblemOut, 428: ProblemOut, **PROBLEMS},
    url_name="step_status",
    tags=["practice"],
)
def step_status(request: HttpRequest, pk: Id, payload: StepStatusIn, response: HttpResponse) -> Any:
    """Mark a plan's step done, not done or planned; ``If-Match`` with the plan's ETag."""
    user = acting_user(request, "write:practice")
    step = practice_selectors.get_step_for(user, pk)
    on = payload.on or timezone.localdate()

    def change(version: int) -> None:
        practice_services.set_step_status(
            actor=user, step=step, expected_version=version, status=payload.status, on=on
        )

    _change_status(request, step.goal.plan.episode, change, response)
    return {"id": step.pk, "status": step.status, "on": step.completed_on}


@router.post(
    "/goals/{int:pk}/status",
    response={200: StepStatusOut, 412: ProblemOut, 428: ProblemOut, **PROBLEMS},
    url_name="goal_status",
    tags=["practice"],
)
def goal_status(request: HttpRequest, pk: Id, payload: GoalStatusIn, response: HttpResponse) -> Any:
    """Mark a plan's goal achieved, set aside or active; ``If-Match`` with the plan's ETag."""
    user = acting_user(request, "write:practice")
    goal = practice_selectors.get_goal_for(user, pk)
    on = payload.on or timezone.localdate()

    def change(version: int) -> None:
        practice_services.set_goal_status(
            actor=user, goal=goal, expected_version=version, status=payload.status, on=on
        )

    _change_status(request, goal.plan.episode, change, response)
    return {"id": goal.pk, "status": goal.status, "on": goal.achieved_on}
