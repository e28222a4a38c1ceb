"""Records for the data set tests: a study over one programme with two teams, reviews and
responses on fixed dates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.fidelity.models import FidelityReview, FidelityScale, ReviewStatus
from tandem.measures.answers import scores_for
from tandem.measures.models import EnteredVia, Response
from tandem.measures.registry import get_instrument
from tandem.orgs.models import Agency, Programme, Team
from tandem.research.dataset.spec import DatasetSpec, DateMode, Enrolled, WaveSpec
from tests.factories import (
    AgencyFactory,
    ClientFactory,
    EpisodeFactory,
    ProgrammeFactory,
    TeamFactory,
    UserFactory,
)

KEY = b"research-key-for-the-tests-0123456789"
ENROLLED_ON = date(2025, 3, 3)
WAVES = (
    WaveSpec("baseline", "Baseline", 0, 30, 30),
    WaveSpec("m6", "Six months", 182, 30, 30),
)
MEASURES = (("baseline", "rprs"), ("baseline", "wai_sr"), ("m6", "rprs"), ("m6", "wai_sr"))


@dataclass
class StudyRecords:
    agency: Agency
    programme: Programme
    team_a: Team
    team_b: Team
    outside_team: Team  # another programme of the agency, outside the study
    enrolled: list[Enrolled] = field(default_factory=list)

    def spec(
        self,
        *,
        study_pk: int = 1,
        date_mode: DateMode = "days",
        measures: tuple[tuple[str, str], ...] = MEASURES,
        exposure_days: int = 180,
        min_cell: int = 5,
        team_ids: tuple[int, ...] = (),
    ) -> DatasetSpec:
        return DatasetSpec(
            study_pk=study_pk,
            key=KEY,
            enrolled=tuple(self.enrolled),
            programme_ids=(self.programme.pk,),
            team_ids=team_ids,
            waves=WAVES,
            measures=measures,
            exposure_days=exposure_days,
            date_mode=date_mode,
            min_cell=min_cell,
        )

    def enrol(
        self,
        *,
        team: Team | None = None,
        start: date = date(2023, 9, 1),
        end: date | None = None,
        enrolled_on: date = ENROLLED_ON,
        diagnosis_group: str = "psychotic",
        **client_fields: object,
    ) -> Episode:
        """A client with an episode in ``team`` (team A by default), enrolled in the study."""
        episode = EpisodeFactory.create(
            team=team or self.team_a,
            start_date=start,
            end_date=end,
            status=EpisodeStatus.CLOSED if end else EpisodeStatus.OPEN,
            client=ClientFactory.create(agency=self.agency, **client_fields),
        )
        self.enrolled.append(Enrolled(episode.client_id, enrolled_on, diagnosis_group))
        return episode


def study_records() -> StudyRecords:
    agency = AgencyFactory.create()
    programme = ProgrammeFactory.create(agency=agency)
    team_a = TeamFactory.create(programme=programme)
    team_b = TeamFactory.create(programme=programme)
    outside = TeamFactory.create(programme=ProgrammeFactory.create(agency=agency))
    for team, scores in ((team_a, (3.0, 4.0, 3.5)), (team_b, (2.0, 2.5, 4.5))):
        for on, total in zip(
            (date(2024, 6, 1), date(2025, 1, 15), date(2025, 8, 1)), scores, strict=True
        ):
            review(team, on, total)
    return StudyRecords(agency, programme, team_a, team_b, outside)


def review(team: Team, on: date, total: float) -> FidelityReview:
    """A final fidelity review of ``team`` with this total."""
    user = UserFactory.create()
    scale = FidelityScale.objects.get_or_create(
        agency=team.programme.agency,
        code="smcm",
        version="1",
        defaults={"name": "Scale", "created_by": user},
    )[0]
    return FidelityReview.objects.create(
        team=team,
        scale=scale,
        review_date=on,
        status=ReviewStatus.FINAL,
        total=total,
        scores={"domains": {}, "total": total},
        created_by=user,
        finalised_at=timezone.now(),
    )


def respond(
    episode: Episode,
    code: str,
    on: date | None,
    answers: Mapping[str, object] | None = None,
    *,
    at: time = time(10, 30),
    client: Client | None = None,
) -> Response:
    """A response to ``code`` in ``episode`` completed on ``on`` (None: still in progress).

    Every item is answered with the scale's lowest value unless ``answers`` says otherwise.
    """
    instrument = get_instrument(code)
    given: dict[str, object] = {
        item.id: instrument.scale_of(item).min for item in instrument.items
    } | dict(answers or {})
    numeric = {k: v for k, v in given.items() if isinstance(v, int | float)}
    return Response.objects.create(
        client=client or episode.client,
        episode=episode,
        instrument_code=instrument.code,
        instrument_version=instrument.version,
        answers=given,
        scores=scores_for(instrument, numeric),
        entered_via=EnteredVia.WORKER,
        completed_at=None
        if on is None
        else timezone.make_aware(datetime.combine(on, at), timezone.get_current_timezone()),
    )


def day(n: int) -> date:
    """The date ``n`` days after the standard enrolment date."""
    return ENROLLED_ON + timedelta(days=n)
