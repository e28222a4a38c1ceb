"""``/api/v1/``: the JSON API over the same selectors and services as the pages.

Each endpoint asks ``acting_user`` for its scope (the token's scopes met with its person's
roles), then calls one selector or service exactly as the page does; the selectors narrow the
rows and answer 404 for anything out of reach, the services validate and audit every write.
"""

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from typing_extensions import override

from tandem.accounts.models import Role
from tandem.alerts import selectors as alert_selectors
from tandem.alerts.models import Alert, AlertRule, AlertStatus, AlertStep
from tandem.api.auth import TokenAuth, acting_user, token_of
from tandem.api.conventions import (
    ProblemError,
    check_query,
    etag_of,
    expected_version,
    field_problem,
    idempotent,
    not_found,
    ordering_of,
    paginate,
    problem_response,
)
from tandem.api.schemas import (
    AdministrationOut,
    AdministrationPage,
    AlertDetailOut,
    AlertPage,
    ClientOut,
    ClientPage,
    CloseIn,
    ContactIn,
    ContactOut,
    EpisodeOut,
    GoalStatusIn,
    InstrumentOut,
    InvitationEventOut,
    InvitationIn,
    InvitationOut,
    PlanOut,
    ProblemOut,
    ReferralPage,
    ResponseIn,
    ResponseOut,
    StepStatusIn,
    StepStatusOut,
)
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import selectors as client_selectors
from tandem.clients.models import Episode, ReferralStatus
from tandem.measures import selectors as measure_selectors
from tandem.measures import services as measure_services
from tandem.measures.models import Administration, AdministrationStatus, Response
from tandem.measures.registry import Instrument, UnknownInstrumentError, all_instruments
from tandem.measures.registry import get_instrument as registry_instrument
from tandem.practice import selectors as practice_selectors
from tandem.practice import services as practice_services
from tandem.practice.models import Contact, RecoveryPlan
from tandem.practice.services import PlanChangedError


class TandemAPI(NinjaAPI):
    """django-ninja's API whose root is found from its schema's route (its index is left out)."""

    @override
    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse(f"{self.urls_namespace}:openapi-json").removesuffix("openapi.json")


api = TandemAPI(
    title="Tandem API",
    version="1",
    description=(
        "Token-scoped access to Tandem's clients and measures. Send "
        "`Authorization: Bearer <token>`; tokens are made on your own API tokens page."
    ),
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
)

PROBLEMS: dict[int | str, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
}


# ---- errors as problem details -------------------------------------------------------------------
@api.exception_handler(ProblemError)
def _problem(request: HttpRequest, exc: ProblemError) -> HttpResponse:
    return problem_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        ProblemError(
            status=401,
            title=_("A valid API token is needed."),
            detail=_("Send Authorization: Bearer and a token that is neither revoked nor expired."),
            code="unauthenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(not_found())


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(ProblemError(status=403, title=_("Not allowed."), code="forbidden"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(ProblemError(status=exc.status_code, title=str(exc)))


def _location(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "answers") or ("query", "limit"): keep the field's path.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": _location(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "code": str(error.get("type", "invalid")),
        }
        for error in exc.errors
    ]
    return problem_response(
        ProblemError(
            status=422,
            title=_("The request is not valid."),
            detail="; ".join(f"{e['field']}: {e['message']}" for e in errors),
            code="validation",
            errors=errors,
        )
    )


def _validation_problem(error: DjangoValidationError) -> ProblemError:
    errors = []
    for field_name, messages in error.error_dict.items() if hasattr(error, "error_dict") else []:
        for message in messages:
            text = " ".join(message.messages)
            errors.append({"field": field_name, "message": text, "code": message.code or ""})
    if not errors:
        errors = [{"field": "__all__", "message": " ".join(error.messages), "code": "invalid"}]
    stale = any(e["code"] == "stale" for e in errors)
    return ProblemError(
        status=409 if stale else 422,
        title=_("The request is not valid."),
        detail=" ".join(e["message"] for e in errors),
        code="conflict" if stale else "validation",
        errors=errors,
    )


@api.exception_handler(DjangoValidationError)
def _invalid_write(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(_validation_problem(exc))


def _json(status: int, payload: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder), status=status, content_type="application/json"
    )


# ---- clients and episodes ------------------------------------------------------------------------
CLIENT_ORDERINGS = ("id", "family_name", "date_of_birth")


@api.get(
    "/clients", response={200: ClientPage, **PROBLEMS}, url_name="client_list", tags=["clients"]
)
def client_list(
    request: HttpRequest,
    team: int | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Clients the token's person may open, as on their pages. No search by name."""
    user = acting_user(request, "read:clients")
    check_query(request, {"team"})
    clients = client_selectors.clients_visible_to(user)
    if team is not None:
        visible = client_selectors.episodes_visible_to(user).filter(team_id=team)
        clients = clients.filter(pk__in=visible.values("client_id"))
    page = paginate(
        clients,
        ordering=ordering_of(ordering, CLIENT_ORDERINGS, "id"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="clients.client", object_id="api")
    return {"items": page.items, "next_cursor": page.next_cursor}


@api.get(
    "/clients/{int:pk}",
    response={200: ClientOut, **PROBLEMS},
    url_name="client_detail",
    tags=["clients"],
)
def client_detail(request: HttpRequest, pk: int) -> Any:
    """One client (audited as a view of the chart)."""
    user = acting_user(request, "read:clients")
    return client_selectors.get_client_for(user, pk)


@api.get(
    "/clients/{int:pk}/episodes",
    response={200: list[EpisodeOut], **PROBLEMS},
    url_name="client_episodes",
    tags=["clients"],
)
def client_episodes(request: HttpRequest, pk: int) -> Any:
    """A client's episodes of care, newest first."""
    user = acting_user(request, "read:clients")
    client = client_selectors.get_client_for(user, pk)
    episodes: list[Episode] = list(client_selectors.client_episodes_for(user, client))
    return episodes


# ---- referrals and the waitlist ------------------------------------------------------------------
REFERRAL_FILTERS = {"status", "programme"}
REFERRAL_ORDERINGS = ("received_on", "priority", "id")
# As the intake pages: the supervisors and programme managers of the referral's programme.
INTAKE_ROLES = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


@api.get(
    "/referrals",
    response={200: ReferralPage, **PROBLEMS},
    url_name="referral_list",
    tags=["clients"],
)
def referral_list(
    request: HttpRequest,
    status: str | None = None,
    programme: int | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Referrals of the programmes where the person does intake; ``status=waitlisted`` for the
    waitlist (by ``ordering=priority``)."""
    user = acting_user(request, "read:clients", roles=INTAKE_ROLES)
    check_query(request, REFERRAL_FILTERS)
    referrals = client_selectors.referrals_visible_to(user)
    wanted = _one_of("status", status, ReferralStatus.values)
    if wanted:
        referrals = referrals.filter(status=wanted)
    if programme is not None:
        referrals = referrals.filter(programme_id=programme)
    page = paginate(
        referrals,
        ordering=ordering_of(ordering, REFERRAL_ORDERINGS, "received_on"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="clients.referral", object_id="api")
    return {"items": page.items, "next_cursor": page.next_cursor}


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


@api.get(
    "/clients/{int:pk}/contacts",
    response={200: list[ContactOut], **PROBLEMS},
    url_name="client_contacts",
    tags=["practice"],
)
def client_contacts(request: HttpRequest, pk: int) -> Any:
    """The client's latest contacts (up to 100), newest first, voided ones marked."""
    user = acting_user(request, "read:practice")
    client = client_selectors.get_client_for(user, pk)
    contacts = practice_selectors.recent_contacts_for(user, client, limit=CONTACTS_LISTED)
    return [_contact_out(contact) for contact in contacts]


@api.post(
    "/clients/{int:pk}/contacts",
    response={201: ContactOut, **PROBLEMS},
    url_name="client_contacts",
    tags=["practice"],
)
def client_contact_record(request: HttpRequest, pk: int, payload: ContactIn) -> Any:
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
        return _json(201, _contact_out(contact))

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


@api.get(
    "/clients/{int:pk}/plan",
    response={200: PlanOut, **PROBLEMS},
    url_name="client_plan",
    tags=["practice"],
)
def client_plan(request: HttpRequest, pk: int, response: HttpResponse) -> Any:
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


@api.post(
    "/steps/{int:pk}/status",
    response={200: StepStatusOut, 412: ProblemOut, 428: ProblemOut, **PROBLEMS},
    url_name="step_status",
    tags=["practice"],
)
def step_status(
    request: HttpRequest, pk: int, payload: StepStatusIn, response: HttpResponse
) -> Any:
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


@api.post(
    "/goals/{int:pk}/status",
    response={200: StepStatusOut, 412: ProblemOut, 428: ProblemOut, **PROBLEMS},
    url_name="goal_status",
    tags=["practice"],
)
def goal_status(
    request: HttpRequest, pk: int, payload: GoalStatusIn, response: HttpResponse
) -> Any:
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


# ---- alerts --------------------------------------------------------------------------------------
ALERT_FILTERS = {"status", "rule"}
ALERT_ORDERINGS = ("opened_on", "id")


def _alert_out(alert: Alert, steps: list[AlertStep] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": alert.pk,
        "rule": alert.rule,
        "status": alert.status,
        "team_id": alert.team_id,
        "episode_id": alert.episode_id,
        "client_id": alert.client_id,
        "worker_id": alert.worker_id,
        "opened_on": alert.opened_on,
        "escalated_at": alert.escalated_at,
        "resolved_at": alert.resolved_at,
        "reason": alert.reason,
        "version": alert.version,
    }
    if steps is not None:
        found["steps"] = [
            {"status": step.status, "actor_id": step.actor_id, "note": step.note, "at": step.at}
            for step in steps
        ]
    return found


def _one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value and value not in allowed:
        raise field_problem(
            400,
            name,
            _("Unknown value %(value)s; choose one of %(allowed)s.")
            % {"value": value, "allowed": ", ".join(allowed)},
            "unknown_value",
        )
    return value or None


@api.get(
    "/alerts",
    response={200: AlertPage, **PROBLEMS},
    url_name="alert_list",
    tags=["feedback"],
)
def alert_list(
    request: HttpRequest,
    status: str | None = None,
    rule: str | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Alerts the person sees on the alerts page, newest first, every status unless filtered."""
    user = acting_user(request, "read:feedback")
    check_query(request, ALERT_FILTERS)
    alerts = alert_selectors.alerts_visible_to(user)
    wanted_status = _one_of("status", status, AlertStatus.values)
    if wanted_status:
        alerts = alerts.filter(status=wanted_status)
    wanted_rule = _one_of("rule", rule, AlertRule.values)
    if wanted_rule:
        alerts = alerts.filter(rule=wanted_rule)
    page = paginate(
        alerts,
        ordering=ordering_of(ordering, ALERT_ORDERINGS, "-opened_on"),
        cursor=cursor,
        limit=limit,
    )
    record_event(actor=user, action=Action.LIST, object_type="alerts.alert", object_id="api")
    return {"items": [_alert_out(alert) for alert in page.items], "next_cursor": page.next_cursor}


@api.get(
    "/alerts/{int:pk}",
    response={200: AlertDetailOut, **PROBLEMS},
    url_name="alert_detail",
    tags=["feedback"],
)
def alert_detail(request: HttpRequest, pk: int) -> Any:
    """One alert with the steps it has moved along."""
    user = acting_user(request, "read:feedback")
    alert = alert_selectors.get_alert_for(user, pk)
    return _alert_out(alert, alert_selectors.steps_of(alert))


# ---- measures ------------------------------------------------------------------------------------
def _instrument_out(instrument: Instrument) -> dict[str, Any]:
    # Structure and neutral labels only: licensed wording stays on the agency's pages.
    return {
        "code": instrument.code,
        "version": instrument.version,
        "title": instrument.title,
        "respondent": str(instrument.respondent),
        "languages": list(instrument.languages),
        "items": [
            {"id": item.id, "label": item.label, "scale": item.scale, "reverse": item.reverse}
            for item in instrument.items
        ],
        "scores": [score.name for score in instrument.scores],
    }


@api.get(
    "/instruments",
    response={200: list[InstrumentOut], **PROBLEMS},
    url_name="instrument_list",
    tags=["measures"],
)
def instrument_list(request: HttpRequest) -> Any:
    """Every instrument's definition: items, scales and scores, with neutral item labels."""
    acting_user(request, "read:measures")
    return [_instrument_out(instrument) for instrument in all_instruments()]


@api.get(
    "/instruments/{code}",
    response={200: InstrumentOut, **PROBLEMS},
    url_name="instrument_detail",
    tags=["measures"],
)
def instrument_detail(request: HttpRequest, code: str) -> Any:
    """One instrument's definition."""
    acting_user(request, "read:measures")
    try:
        return _instrument_out(registry_instrument(code))
    except UnknownInstrumentError as exc:
        # Not a scoped record (nothing to audit): the definitions are the same for everyone.
        raise not_found() from exc


ADMINISTRATION_FILTERS = {"status", "client", "instrument"}
ADMINISTRATION_ORDERINGS = ("due_date", "id")


@api.get(
    "/administrations",
    response={200: AdministrationPage, **PROBLEMS},
    url_name="administration_list",
    tags=["measures"],
)
def administration_list(
    request: HttpRequest,
    status: str | None = None,
    client: int | None = None,
    instrument: str | None = None,
    ordering: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Any:
    """Administrations in the person's visible episodes; ``status=due,overdue`` for what is owed."""
    user = acting_user(request, "read:measures")
    check_query(request, ADMINISTRATION_FILTERS)
    rows = measure_selectors.administrations_visible_to(user)
    if status:
        wanted = [word.strip() for word in status.split(",") if word.strip()]
        unknown = [word for word in wanted if word not in AdministrationStatus.values]
        if unknown:
            raise ProblemError(
                status=400,
                title=_("The request is not valid."),
                detail=_("Unknown status %(status)s.") % {"status": unknown[0]},
                code="unknown_value",
                errors=[{"field": "status", "message": unknown[0], "code": "unknown_value"}],
            )
        rows = rows.filter(status__in=wanted)
    if client is not None:
        rows = rows.filter(client_id=client)
    if instrument:
        rows = rows.filter(instrument_code=instrument)
    page = paginate(
        rows,
        ordering=ordering_of(ordering, ADMINISTRATION_ORDERINGS, "due_date"),
        cursor=cursor,
        limit=limit,
    )
    record_event(
        actor=user, action=Action.LIST, object_type="measures.administration", object_id="api"
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def _administration(request: HttpRequest, pk: int, scope: str) -> Administration:
    return measure_selectors.get_administration_for(acting_user(request, scope), pk)


@api.get(
    "/administrations/{int:pk}",
    response={200: AdministrationOut, **PROBLEMS},
    url_name="administration_detail",
    tags=["measures"],
)
def administration_detail(request: HttpRequest, pk: int, response: HttpResponse) -> Any:
    """One administration, with its ETag for a later ``If-Match`` write."""
    administration = _administration(request, pk, "read:measures")
    response["ETag"] = etag_of(administration, administration.version)
    return administration


@api.get(
    "/administrations/{int:pk}/invitations",
    response={200: list[InvitationEventOut], **PROBLEMS},
    url_name="administration_invitations",
    tags=["measures"],
)
def administration_invitations(request: HttpRequest, pk: int) -> Any:
    """The invitation log: sent, reminded, opened, completed, cancelled and expired, in order."""
    user = acting_user(request, "read:measures")
    administration = measure_selectors.get_administration_for(user, pk)
    return measure_selectors.administration_invitation_log(user, administration)


@api.post(
    "/administrations/{int:pk}/invitations",
    response={201: InvitationOut, 409: ProblemOut, **PROBLEMS},
    url_name="administration_invitations",
    tags=["measures"],
)
def administration_invite(request: HttpRequest, pk: int, payload: InvitationIn) -> Any:
    """Send the client a one-time link by email now, with a reminder later, as the page does.

    Any earlier live link of the wave stops working. The link itself never appears in the
    answer (it is a secret kept only as a hash); send ``Idempotency-Key`` to retry safely.
    """
    user = acting_user(request, "write:measures")
    administration = measure_selectors.get_administration_for(user, pk)

    def build(token: str) -> str:
        return request.build_absolute_uri(reverse("measures:self_report", args=[token]))

    def invite() -> HttpResponse:
        issued = measure_services.issue_link(
            actor=user, administration=administration, channel=payload.channel, build_url=build
        )
        link = issued.link
        return _json(
            201,
            {"link_id": link.pk, "channel": payload.channel, "expires_at": link.expires_at},
        )

    return idempotent(request, token_of(request), invite)


@api.post(
    "/administrations/{int:pk}/close",
    response={
        200: AdministrationOut,
        409: ProblemOut,
        412: ProblemOut,
        428: ProblemOut,
        **PROBLEMS,
    },
    url_name="administration_close",
    tags=["measures"],
)
def administration_close(
    request: HttpRequest, pk: int, payload: CloseIn, response: HttpResponse
) -> Any:
    """Close a wave as not collected, saying why; needs ``If-Match`` with the current ETag."""
    user = acting_user(request, "write:measures")
    administration = measure_selectors.get_administration_for(user, pk)
    version = expected_version(
        request, etag_of(administration, administration.version), administration.version
    )
    try:
        measure_services.close_not_collected(
            actor=user,
            administration=administration,
            reason=payload.reason,
            expected_version=version,
        )
    except DjangoValidationError as error:
        problem = _validation_problem(error)
        if problem.status == 409:
            # Changed between the If-Match check and the lock: the same answer as a stale ETag.
            problem.status = 412
        raise problem from error
    response["ETag"] = etag_of(administration, administration.version)
    return administration


def _response_out(row: Response) -> dict[str, Any]:
    return {
        "id": row.pk,
        "administration_id": row.administration_id,
        "client_id": row.client_id,
        "episode_id": row.episode_id,
        "instrument_code": row.instrument_code,
        "instrument_version": row.instrument_version,
        "language": row.language,
        "answers": row.answers,
        "scores": row.scores,
        "completed_at": row.completed_at,
        "version": row.version,
    }


@api.post(
    "/responses",
    response={201: ResponseOut, 409: ProblemOut, **PROBLEMS},
    url_name="response_submit",
    tags=["measures"],
)
def response_submit(request: HttpRequest, payload: ResponseIn) -> Any:
    """Enter a completed form, scored as on the page; send ``Idempotency-Key`` to retry safely."""
    user = acting_user(request, "write:measures")
    administration = None
    episode = None
    if payload.administration_id is not None:
        administration = measure_selectors.get_administration_for(user, payload.administration_id)
    elif payload.episode_id is not None:
        episode = client_selectors.get_episode_for(user, payload.episode_id)

    def submit() -> HttpResponse:
        # No expected_version: a client's answers in progress on a link are never overwritten
        # by a caller who has not seen them (the service answers 409, code ``stale``).
        row = measure_services.submit_response(
            actor=user,
            answers=payload.answers,
            administration=administration,
            episode=episode,
            instrument_code=payload.instrument_code,
            language=payload.language,
            completed_on=payload.completed_on,
        )
        return _json(201, _response_out(row))

    return idempotent(request, token_of(request), submit)


@api.get(
    "/responses/{int:pk}",
    response={200: ResponseOut, **PROBLEMS},
    url_name="response_detail",
    tags=["measures"],
)
def response_detail(request: HttpRequest, pk: int) -> Any:
    """One completed response with its answers and scores."""
    user = acting_user(request, "read:measures")
    return _response_out(measure_selectors.get_response_for(user, pk))
