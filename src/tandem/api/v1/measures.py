"""Instruments, administrations, invitations and responses."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from tandem.api.auth import acting_user, token_of
from tandem.api.conventions import (
    ProblemError,
    check_query,
    etag_of,
    expected_version,
    idempotent,
    not_found,
    ordering_of,
    paginate,
)
from tandem.api.schemas import (
    AdministrationIn,
    AdministrationOut,
    AdministrationPage,
    CloseIn,
    InstrumentOut,
    InvitationEventOut,
    InvitationIn,
    InvitationOut,
    ProblemOut,
    ResponseIn,
    ResponseOut,
)
from tandem.api.v1.common import PROBLEMS, Id, json_response, validation_problem
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import selectors as client_selectors
from tandem.measures import selectors as measure_selectors
from tandem.measures import services as measure_services
from tandem.measures.models import Administration, AdministrationStatus, Response
from tandem.measures.registry import Instrument, UnknownInstrumentError, all_instruments
from tandem.measures.registry import get_instrument as registry_instrument

router = Router()


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


@router.get(
    "/instruments",
    response={200: list[InstrumentOut], **PROBLEMS},
    url_name="instrument_list",
    tags=["measures"],
)
def instrument_list(request: HttpRequest) -> Any:
    """Every instrument's definition: items, scales and scores, with neutral item labels."""
    acting_user(request, "read:measures")
    return [_instrument_out(instrument) for instrument in all_instruments()]


@router.get(
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


@router.get(
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


@router.post(
    "/administrations",
    response={201: AdministrationOut, **PROBLEMS},
    url_name="administration_list",
    tags=["measures"],
)
def administration_schedule(request: HttpRequest, payload: AdministrationIn) -> Any:
    """Schedule one administration of an instrument in a client's open episode, as the client's
    page does; ``send_invitation`` emails the client a link at once. Send ``Idempotency-Key``
    to retry safely; the same instrument twice on one day in an episode is refused (422)."""
    user = acting_user(request, "write:measures")
    episode = client_selectors.get_episode_for(user, payload.episode_id)

    def build(token: str) -> str:
        return request.build_absolute_uri(reverse("measures:self_report", args=[token]))

    def schedule() -> HttpResponse:
        row = measure_services.schedule_administration(
            actor=user,
            episode=episode,
            instrument_code=payload.instrument_code,
            due_date=payload.due_date,
            send_invitation=payload.send_invitation,
            build_url=build,
        )
        answer = json_response(201, AdministrationOut.model_validate(row).model_dump())
        answer["Location"] = reverse("api_v1:administration_detail", args=[row.pk])
        answer["ETag"] = etag_of(row, row.version)
        return answer

    return idempotent(request, token_of(request), schedule)


def _administration(request: HttpRequest, pk: int, scope: str) -> Administration:
    return measure_selectors.get_administration_for(acting_user(request, scope), pk)


@router.get(
    "/administrations/{int:pk}",
    response={200: AdministrationOut, **PROBLEMS},
    url_name="administration_detail",
    tags=["measures"],
)
def administration_detail(request: HttpRequest, pk: Id, response: HttpResponse) -> Any:
    """One administration, with its ETag for a later ``If-Match`` write."""
    administration = _administration(request, pk, "read:measures")
    response["ETag"] = etag_of(administration, administration.version)
    return administration


@router.get(
    "/administrations/{int:pk}/invitations",
    response={200: list[InvitationEventOut], **PROBLEMS},
    url_name="administration_invitations",
    tags=["measures"],
)
def administration_invitations(request: HttpRequest, pk: Id) -> Any:
    """The invitation log: sent, reminded, opened, completed, cancelled and expired, in order."""
    user = acting_user(request, "read:measures")
    administration = measure_selectors.get_administration_for(user, pk)
    return measure_selectors.administration_invitation_log(user, administration)


@router.post(
    "/administrations/{int:pk}/invitations",
    response={201: InvitationOut, 409: ProblemOut, **PROBLEMS},
    url_name="administration_invitations",
    tags=["measures"],
)
def administration_invite(request: HttpRequest, pk: Id, payload: InvitationIn) -> Any:
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
        return json_response(
            201,
            {"link_id": link.pk, "channel": payload.channel, "expires_at": link.expires_at},
        )

    return idempotent(request, token_of(request), invite)


@router.post(
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
    request: HttpRequest, pk: Id, payload: CloseIn, response: HttpResponse
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
        problem = validation_problem(error)
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


@router.post(
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
        return json_response(201, _response_out(row))

    return idempotent(request, token_of(request), submit)


@router.get(
    "/responses/{int:pk}",
    response={200: ResponseOut, **PROBLEMS},
    url_name="response_detail",
    tags=["measures"],
)
def response_detail(request: HttpRequest, pk: Id) -> Any:
    """One completed response with its answers and scores."""
    user = acting_user(request, "read:measures")
    return _response_out(measure_selectors.get_response_for(user, pk))
