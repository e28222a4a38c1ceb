"""Factories for the measurement workflow."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from tandem.clients.models import Client, Episode
from tandem.measures.answers import scores_for
from tandem.measures.models import (
    Administration,
    AdministrationStatus,
    EnteredVia,
    Response,
    Schedule,
    ScheduleRule,
    SelfReportLink,
)
from tandem.measures.registry import get_instrument
from tandem.measures.services import hash_token
from tests.factories import EpisodeFactory, ProgrammeFactory


class ScheduleFactory(factory.django.DjangoModelFactory[Schedule]):
    class Meta:
        model = Schedule

    programme = factory.SubFactory(ProgrammeFactory)
    instrument_code = "rprs"
    rule = ScheduleRule.WAVES
    include_baseline = True
    interval_months = Decimal("4.5")
    span_months = Decimal("18")


class AdministrationFactory(factory.django.DjangoModelFactory[Administration]):
    class Meta:
        model = Administration

    episode = factory.SubFactory(EpisodeFactory)
    client = factory.LazyAttribute(lambda a: a.episode.client)
    instrument_code = "rprs"
    instrument_version = "1"
    wave = "baseline"
    due_date = factory.LazyFunction(timezone.localdate)
    window_opens = factory.LazyAttribute(lambda a: a.due_date - timedelta(days=7))
    window_closes = factory.LazyAttribute(lambda a: a.due_date + timedelta(days=14))
    status = AdministrationStatus.DUE


def due_rprs(episode: Episode, **fields: object) -> Administration:
    """A due RPRS administration in ``episode``."""
    return AdministrationFactory.create(episode=episode, **fields)


def completed_response(administration: Administration, **answers: float) -> Response:
    """A completed response to ``administration``: every item 3 (or the scale's lowest value
    where 3 is not an answer) unless given."""
    found = Response.objects.filter(administration=administration).first()
    if found is not None:
        return found
    instrument = get_instrument(administration.instrument_code)
    given = {
        item.id: 3.0 if 3.0 in instrument.scale_of(item).values else instrument.scale_of(item).min
        for item in instrument.items
    } | answers
    now = timezone.now()
    response = Response.objects.create(
        administration=administration,
        client=administration.client,
        episode=administration.episode,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        answers=given,
        scores=scores_for(instrument, given),
        entered_via=EnteredVia.SELF_REPORT_LINK,
        completed_at=now,
    )
    administration.status = AdministrationStatus.COMPLETED
    administration.completed_at = now
    administration.save(update_fields=["status", "completed_at"])
    return response


def measures_path(key: str, path: str, client: Client) -> str:
    """A concrete URL of a measures route for the access matrix, for this client's records."""
    if key == "measures:self_report":
        return path.replace("<str:token>", f"no-such-token-{client.pk}")
    if key in {"measures:invitation_log", "measures:schedule_administration"}:
        return path.replace("<int:pk>", str(client.pk))
    episode = client.episodes.order_by("pk")[0]
    if key in {"measures:programme_export", "measures:programme_import"}:
        return path.replace("<int:pk>", str(episode.programme_id))
    administration = Administration.objects.filter(episode=episode).first() or due_rprs(episode)
    if "/responses/" in path:
        return path.replace("<int:pk>", str(completed_response(administration).pk))
    if "/links/" in path:
        link = SelfReportLink.objects.filter(administration=administration).first()
        if link is None:
            link = SelfReportLink.objects.create(
                administration=administration,
                token_hash=hash_token(f"matrix-{administration.pk}"),
                created_by=episode.primary_case_manager,
                expires_at=timezone.now() + timedelta(days=14),
            )
        return path.replace("<int:pk>", str(link.pk))
    return path.replace("<int:pk>", str(administration.pk))
