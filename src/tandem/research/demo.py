"""A synthetic quantitative study for the demo agency: fidelity, alliance and outcomes.

The Strengths programme is the one that rates its fidelity and collects the alliance scale
(RPRS) at baseline and every 4.5 months and quality of life (QOLI-20) at baseline and 9 months
(``tandem.measures.demo``), so the study runs over it, with the protocol of the seed study: waves
at enrolment, 4.5 and 9 months, the alliance at 4.5 months as mediator and quality of life at
9 months as outcome. The agency administrator starts it with the researcher as lead and the
analyst as second member; the programme manager records research consent for most clients,
dated at the start of their episode so that the waves line up with the measurement schedule;
clients whose first-year alliance or quality-of-life measure is missing, and who have been in the
programme long enough, enrol at their 9-month review instead (the waves again fall on scheduled
measures, and years in service vary). One consent is withdrawn and one voided, each with its
reason. Everything goes through the services, so the audit log shows it. Seeded: every run
builds the same study.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.clients.models import Episode
from tandem.measures.models import Response
from tandem.orgs.models import Agency, ProgrammeModel
from tandem.research import services
from tandem.research.models import (
    DiagnosisGroup,
    Enrolment,
    ExposureDays,
    MemberRole,
    Study,
    StudyStatus,
)

STUDY_TITLE = "Fidelity, alliance and outcomes"
STUDY_SLUG = "fidelity_alliance"
CONSENT_FORM = "v2.1"
CONSENT_RATE = 0.85
# The 9-month review, where the outcome is measured again and the alliance scale is given.
LATER_ENTRY_DAY = 274
# Diagnosis groups of clients of a community case management programme, roughly.
DIAGNOSIS_WEIGHTS = (
    (DiagnosisGroup.PSYCHOTIC, 38),
    (DiagnosisGroup.BIPOLAR, 16),
    (DiagnosisGroup.DEPRESSIVE, 18),
    (DiagnosisGroup.ANXIETY, 7),
    (DiagnosisGroup.PERSONALITY, 8),
    (DiagnosisGroup.SUBSTANCE, 6),
    (DiagnosisGroup.OTHER, 3),
    (DiagnosisGroup.NOT_RECORDED, 4),
)
WAVES = (
    services.WaveInput("baseline", "Baseline", 0, 0, 30),
    services.WaveInput("m4_5", "4.5 months", 137, 30, 30),
    services.WaveInput("m9", "9 months", 274, 30, 30),
)
MEASURES = (
    ("baseline", "rprs"),
    ("baseline", "qoli20"),
    ("m4_5", "rprs"),
    ("m9", "rprs"),
    ("m9", "qoli20"),
)
ANALYSIS = services.AnalysisDefaults(
    mediator_instrument="rprs",
    mediator_wave="m4_5",
    outcome_instrument="qoli20",
    outcome_score="total",
    outcome_wave="m9",
    baseline_wave="baseline",
    covariates=("age_years", "gender", "years_in_service"),
    imputations=20,
    resamples=5000,
    seed=20261123,
)


def load_research_demo(
    *, agency: Agency, admin: User, lead: User, analyst: User, today: date, seed: int = 20261123
) -> Study:
    """The demo study over the agency's Strengths programme, with consents, led by ``lead``."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not a secret
    programmes = list(agency.programmes.filter(model=ProgrammeModel.SMCM).order_by("pk"))
    study = services.create_study(
        actor=admin,
        agency=agency,
        title=STUDY_TITLE,
        slug=STUDY_SLUG,
        description=(
            "Whether a team's fidelity to the strengths model improves clients' quality of life "
            "through a stronger working alliance. Exposure to fidelity over the 180 days before "
            "the 4.5-month wave, the alliance at 4.5 months, quality of life at 9 months. "
            "Demo data, no real person."
        ),
        programmes=programmes,
        exposure_days=ExposureDays.DAYS_180,
        lead=lead,
    )
    services.add_member(actor=lead, study=study, user=analyst, role=MemberRole.RESEARCHER)
    services.update_study(
        actor=lead,
        study=study,
        expected_version=study.version,
        title=study.title,
        slug=study.slug,
        description=study.description,
        status=StudyStatus.ACTIVE,
        programmes=programmes,
        exposure_days=study.exposure_days,
        date_mode=study.date_mode,
        waves=WAVES,
        measures=MEASURES,
        analysis=ANALYSIS,
    )
    _consents(study, rng, today)
    return study


def _measured_days(first: dict[int, Episode]) -> dict[int, list[tuple[str, int]]]:
    """(instrument, day of the episode) of each completed alliance and outcome response."""
    codes = {code for _w, code in MEASURES}
    measured: dict[int, list[tuple[str, int]]] = {}
    for client_id, code, completed in Response.objects.filter(
        episode_id__in=[e.pk for e in first.values()], instrument_code__in=codes
    ).values_list("client_id", "instrument_code", "completed_at"):
        start = first[client_id].start_date
        day = (timezone.localdate(completed) - start).days
        measured.setdefault(client_id, []).append((code, day))
    return measured


def _has_first_year(measured: Sequence[tuple[str, int]], entry: int) -> bool:
    """Whether the mediator and the outcome were answered within their waves from ``entry``."""
    waves = {wave.code: wave for wave in WAVES}
    wanted = (
        (ANALYSIS.mediator_instrument, waves[ANALYSIS.mediator_wave]),
        (ANALYSIS.outcome_instrument, waves[ANALYSIS.outcome_wave]),
    )
    return all(
        any(
            c == code
            and entry + wave.target_day - wave.before_days
            <= day
            <= entry + wave.target_day + wave.after_days
            for c, day in measured
        )
        for code, wave in wanted
    )


def _consents(study: Study, rng: random.Random, today: date) -> None:
    """Consent for most clients, dated at the start of their first episode in the programme."""
    groups = [group for group, _w in DIAGNOSIS_WEIGHTS]
    weights = [w for _g, w in DIAGNOSIS_WEIGHTS]
    first: dict[int, Episode] = {}
    episodes = Episode.objects.filter(programme__in=study.programmes.all()).select_related(
        "client", "programme"
    )
    for episode in episodes.order_by("start_date", "pk"):
        first.setdefault(episode.client_id, episode)
    managers = {
        programme.pk: User.objects.filter(
            memberships__programme=programme, memberships__role=Role.PROGRAMME_MANAGER
        ).first()
        for programme in study.programmes.all()
    }
    measured = _measured_days(first)
    enrolments: list[Enrolment] = []
    for client_id in sorted(first):
        episode = first[client_id]
        consents = rng.random() < CONSENT_RATE
        group = rng.choices(groups, weights)[0]
        manager = managers[episode.programme_id]
        if not consents or manager is None:
            continue
        entry = 0
        later = episode.start_date + timedelta(days=LATER_ENTRY_DAY)
        if not _has_first_year(measured.get(client_id, ()), 0) and later <= today:
            entry = LATER_ENTRY_DAY
        enrolments.append(
            services.enrol(
                actor=manager,
                study=study,
                client=episode.client,
                consented_on=episode.start_date + timedelta(days=entry),
                form_version=CONSENT_FORM,
                diagnosis_group=group,
            )
        )
    if len(enrolments) < 3:
        return
    # One client withdraws a few months in; one record was entered for the wrong client.
    withdrawn = next(
        (e for e in enrolments if e.consented_on <= today - timedelta(days=200)), enrolments[0]
    )
    manager = managers[first[withdrawn.client_id].programme_id]
    assert manager is not None  # noqa: S101 - the loop above enrolled through this manager
    services.withdraw_enrolment(
        actor=manager,
        enrolment=withdrawn,
        expected_version=withdrawn.version,
        withdrawn_on=min(today, withdrawn.consented_on + timedelta(days=160)),
        reason="The client no longer wishes to take part in research.",
    )
    voided = enrolments[-1]
    manager = managers[first[voided.client_id].programme_id]
    assert manager is not None  # noqa: S101 - as above
    services.void_enrolment(
        actor=manager,
        enrolment=voided,
        expected_version=voided.version,
        reason="Recorded for the wrong client: the signed form is another client's.",
    )
