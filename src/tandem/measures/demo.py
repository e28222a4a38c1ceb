"""Synthetic measurement data for the demo agency: schedules, due measures and past scores.

The long-term programme collects the alliance scale (RPRS) at baseline and every 4.5 months for
18 months; the short-term one rates functioning (MCAS) at intake and discharge. Past waves are
mostly answered (synthetic answers, scored in one batch), some were missed.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Episode, EpisodeStatus
from tandem.measures.demo_wording import load_demo_wording
from tandem.measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationStatus,
    EnteredVia,
    Response,
    Schedule,
    ScheduleRule,
)
from tandem.measures.registry import get_instrument
from tandem.measures.scoring import score_matrix
from tandem.measures.services.administrations import build_administration
from tandem.orgs.models import Agency, ProgrammeModel

ANSWER_RATE = 0.8


def _due_dates(schedule: Schedule, episode: Episode) -> list[tuple[str, date]]:
    if schedule.rule == ScheduleRule.WAVES:
        return [
            (wave, episode.start_date + timedelta(days=days))
            for wave, days in schedule.wave_offsets_days()
        ]
    if schedule.rule == ScheduleRule.INTAKE:
        return [("intake", episode.start_date)]
    if schedule.rule == ScheduleRule.DISCHARGE and episode.end_date is not None:
        return [("discharge", episode.end_date)]
    return []


def load_measures_demo(*, agency: Agency, today: date, seed: int = 20261123) -> None:
    """Add schedules to the demo programmes and fill in their administrations and responses."""
    rng = random.Random(seed)  # noqa: S311  # synthetic demo data, not a secret
    gen = np.random.default_rng(seed)
    schedules = []
    for programme in agency.programmes.all():
        if programme.model == ProgrammeModel.STCM:
            schedules += [
                Schedule(programme=programme, instrument_code="mcas", rule=ScheduleRule.INTAKE),
                Schedule(programme=programme, instrument_code="mcas", rule=ScheduleRule.DISCHARGE),
            ]
        else:
            schedules.append(
                Schedule(
                    programme=programme,
                    instrument_code="rprs",
                    rule=ScheduleRule.WAVES,
                    interval_months=Decimal("4.5"),
                    span_months=Decimal("18"),
                )
            )
    episodes = list(Episode.objects.filter(programme__agency=agency))
    administrations: list[Administration] = []
    answered: list[tuple[Administration, Episode]] = []
    with transaction.atomic():
        for schedule in schedules:
            schedule.full_clean()
            schedule.save()
        for schedule in schedules:
            instrument = get_instrument(schedule.instrument_code)
            for episode in episodes:
                if episode.programme_id != schedule.programme_id:
                    continue
                for wave, due in _due_dates(schedule, episode):
                    if due > today + timedelta(days=30):
                        continue
                    row = build_administration(
                        episode=episode,
                        schedule=schedule,
                        instrument=instrument,
                        wave=wave,
                        due=due,
                        today=today,
                    )
                    ended = episode.status == EpisodeStatus.CLOSED
                    if ended and row.status in OPEN_STATUSES and wave != "discharge":
                        row.status = AdministrationStatus.CANCELLED
                    administrations.append(row)
                    past = due <= today - timedelta(days=3)
                    kept = row.status != AdministrationStatus.CANCELLED
                    if past and kept and rng.random() < ANSWER_RATE:
                        answered.append((row, episode))
        Administration.objects.bulk_create(administrations)
        responses = _responses(answered, gen, rng)
        Response.objects.bulk_create(responses)
        Administration.objects.bulk_update([a for a, _e in answered], ["status", "completed_at"])
        record_event(
            actor=None,
            action=Action.CREATE,
            object_type="measures.response",
            object_id=f"demo:{len(administrations)}:{len(responses)}",
            agency_id=agency.pk,
        )
    load_demo_wording(agency=agency)


def _responses(
    answered: list[tuple[Administration, Episode]], gen: np.random.Generator, rng: random.Random
) -> list[Response]:
    responses = []
    by_code: dict[str, list[tuple[Administration, Episode]]] = {}
    for administration, episode in answered:
        by_code.setdefault(administration.instrument_code, []).append((administration, episode))
    for code, rows in by_code.items():
        instrument = get_instrument(code)
        scales = [instrument.scale_of(item) for item in instrument.items]
        # Answers lean to the upper half of each scale, as the papers' alliance scores do.
        low = np.array([s.min for s in scales])
        high = np.array([s.max for s in scales])
        level = gen.beta(5, 2, size=(len(rows), 1))
        matrix = np.rint(
            low
            + (high - low) * np.clip(level + gen.normal(0, 0.12, (len(rows), len(scales))), 0, 1)
        )
        scored = score_matrix(instrument, matrix)
        latest = timezone.now() - timedelta(hours=1)  # never completed in the future
        for i, (administration, episode) in enumerate(rows):
            completed = min(
                latest,
                datetime.combine(
                    administration.due_date + timedelta(days=rng.randint(0, 5)),
                    time(15),
                    tzinfo=UTC,
                ),
            )
            administration.status = AdministrationStatus.COMPLETED
            administration.completed_at = completed
            responses.append(
                Response(
                    administration=administration,
                    client_id=episode.client_id,
                    episode=episode,
                    instrument_code=code,
                    instrument_version=instrument.version,
                    answers={
                        item.id: float(matrix[i, j]) for j, item in enumerate(instrument.items)
                    },
                    scores={
                        name: float(scored.values[i, k])
                        if not np.isnan(scored.values[i, k])
                        else None
                        for k, name in enumerate(scored.names)
                    },
                    entered_via=EnteredVia.SELF_REPORT_LINK
                    if instrument.respondent == "client"
                    else EnteredVia.WORKER,
                    entered_by_id=None
                    if instrument.respondent == "client"
                    else episode.primary_case_manager_id,
                    completed_at=completed,
                )
            )
    return responses
