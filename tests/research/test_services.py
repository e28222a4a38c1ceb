"""Research writes: who may make them, what they refuse, and what each one audits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.audit.models import AuditEvent
from tandem.research import selectors, services
from tandem.research.models import Enrolment, EnrolmentChange, MemberRole, Study, StudyStatus
from tests.conftest import World
from tests.factories import ClientFactory, EpisodeFactory, MembershipFactory, UserFactory
from tests.research.factories import consent_of, study_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _protocol(study: Study, actor: object, **changes: object) -> Study:
    arguments: dict[str, object] = {
        "actor": actor,
        "study": study,
        "expected_version": study.version,
        "title": study.title,
        "slug": study.slug,
        "description": "",
        "status": StudyStatus.ACTIVE,
        "programmes": list(study.programmes.all()),
        "teams": [],
        "exposure_days": 180,
        "date_mode": "days",
        "waves": [
            services.WaveInput("baseline", "Baseline", 0, 0, 30),
            services.WaveInput("m4_5", "Month 4.5", 135, 30, 30),
            services.WaveInput("m9", "Month 9", 270, 30, 30),
        ],
        "measures": [("m4_5", "wai_sr"), ("baseline", "rprs"), ("m9", "RPRS")],
        "analysis": services.AnalysisDefaults(
            mediator_instrument="wai_sr",
            mediator_wave="m4_5",
            outcome_instrument="rprs",
            outcome_wave="m9",
            baseline_wave="baseline",
            covariates=("age_years", "gender"),
        ),
    }
    arguments.update(changes)
    return services.update_study(**arguments)  # type: ignore[arg-type]


def test_an_agency_admin_starts_a_study_audited(world: World) -> None:
    study = services.create_study(
        actor=world.agency_admin,
        agency=world.agency,
        title="  Alliance   and outcome ",
        slug="Alliance",
        programmes=[world.programme],
        lead=world.researcher,
    )
    assert (study.title, study.slug, study.status) == ("Alliance and outcome", "alliance", "draft")
    assert study.members.get().role == MemberRole.LEAD
    assert AuditEvent.objects.filter(object_type="research.study", object_id=str(study.pk)).exists()
    with pytest.raises(ValidationError):
        services.create_study(
            actor=world.agency_admin,
            agency=world.agency,
            title="Another",
            slug="alliance",
            programmes=[world.programme],
        )


def test_a_programme_manager_starts_studies_over_their_programmes_only(world: World) -> None:
    other = world.other_programme_team.programme
    with pytest.raises(ValidationError):
        services.create_study(
            actor=world.programme_manager,
            agency=world.agency,
            title="T",
            slug="t",
            programmes=[other],
        )
    study = services.create_study(
        actor=world.programme_manager,
        agency=world.agency,
        title="T",
        slug="t",
        programmes=[world.programme],
    )
    assert selectors.manages(world.programme_manager, study)
    for outsider in (world.researcher, world.case_manager, world.other_agency_case_manager):
        with pytest.raises(PermissionDenied):
            services.create_study(
                actor=outsider,
                agency=world.agency,
                title="T",
                slug="u",
                programmes=[world.programme],
            )


def test_the_protocol_is_saved_and_checked(world: World) -> None:
    study = study_in(world.agency)
    _protocol(study, world.researcher)
    study.refresh_from_db()
    assert [w.code for w in study.waves.all()] == ["baseline", "m4_5", "m9"]
    assert sorted((m.wave.code, m.instrument_code) for m in study.measures.all()) == [
        ("baseline", "rprs"),
        ("m4_5", "wai_sr"),
        ("m9", "rprs"),
    ]
    assert study.covariates == ["age_years", "gender"]
    assert study.version == 2
    # A wave dropped takes its measures with it; kept waves keep their rows.
    kept = study.waves.get(code="m9").pk
    _protocol(
        study,
        world.agency_admin,
        waves=[services.WaveInput("m9", "Month nine", 270, 30, 30)],
        measures=[("m9", "rprs")],
        analysis=services.AnalysisDefaults(),
    )
    assert list(study.waves.values_list("pk", "label")) == [(kept, "Month nine")]
    assert study.measures.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"measures": [("m9", "no_such_instrument")]}, "measures"),
        ({"measures": [("m12", "rprs")]}, "measures"),
        ({"waves": [services.WaveInput("Bad code", "x", 0, 0, 0)]}, "waves"),
        (
            {
                "analysis": services.AnalysisDefaults(
                    mediator_instrument="rprs", mediator_wave="m4_5"
                )
            },
            "mediator_instrument",
        ),
        (
            {
                "analysis": services.AnalysisDefaults(
                    outcome_instrument="rprs", outcome_wave="m9", outcome_score="nope"
                )
            },
            "outcome_score",
        ),
        ({"analysis": services.AnalysisDefaults(covariates=("date_of_birth",))}, "covariates"),
    ],
)
def test_a_wrong_protocol_is_refused(world: World, changes: dict[str, object], field: str) -> None:
    study = study_in(world.agency)
    with pytest.raises(ValidationError) as refused:
        _protocol(study, world.researcher, **changes)
    assert field in refused.value.message_dict
    assert Study.objects.get(pk=study.pk).version == 1


def test_a_stale_protocol_edit_is_refused(world: World) -> None:
    study = study_in(world.agency)
    stale = Study.objects.get(pk=study.pk)
    _protocol(study, world.researcher)
    with pytest.raises(services.StudyChangedError):
        _protocol(stale, world.researcher, expected_version=1)


def test_only_managers_change_a_study(world: World) -> None:
    study = study_in(world.agency)
    member = services.add_member(
        actor=world.researcher, study=study, user=_researcher(world), role=MemberRole.RESEARCHER
    )
    for outsider in (member.user, world.case_manager, world.supervisor):
        with pytest.raises(PermissionDenied):
            _protocol(study, outsider)


def _researcher(world: World) -> User:
    user = UserFactory.create(agency=world.agency)
    MembershipFactory.create(user=user, role=Role.RESEARCHER, agency=world.agency)
    return user


def test_members_are_researchers_or_an_administrator_as_lead(world: World) -> None:
    study = study_in(world.agency)
    with pytest.raises(ValidationError):
        services.add_member(
            actor=world.agency_admin, study=study, user=world.case_manager, role="researcher"
        )
    with pytest.raises(ValidationError):
        services.add_member(
            actor=world.agency_admin, study=study, user=world.agency_admin, role="researcher"
        )
    with pytest.raises(ValidationError):  # already the lead
        services.add_member(
            actor=world.agency_admin, study=study, user=world.researcher, role="researcher"
        )
    admin = services.add_member(
        actor=world.agency_admin, study=study, user=world.agency_admin, role="lead"
    )
    services.remove_member(actor=world.agency_admin, member=admin)
    assert not study.members.filter(user=world.agency_admin).exists()
    assert AuditEvent.objects.filter(object_type="research.studymember", action="delete").exists()


def test_the_care_team_records_consent_once(world: World) -> None:
    study = study_in(world.agency)
    enrolment = services.enrol(
        actor=world.case_manager,
        study=study,
        client=world.own_client,
        consented_on=TODAY(),
        form_version=" 2.1 ",
        diagnosis_group="bipolar",
    )
    assert enrolment.form_version == "2.1"
    assert AuditEvent.objects.filter(
        object_type="research.enrolment", object_id=str(enrolment.pk), action="create"
    ).exists()
    with pytest.raises(ValidationError):
        services.enrol(
            actor=world.supervisor,
            study=study,
            client=world.own_client,
            consented_on=TODAY(),
            form_version="2.1",
        )
    # Not the case manager's client, not a clinical role, another agency.
    for actor, client in (
        (world.case_manager, world.team_client),
        (world.researcher, world.own_client),
        (world.other_agency_case_manager, world.own_client),
    ):
        with pytest.raises(PermissionDenied):
            services.enrol(
                actor=actor,
                study=study,
                client=client,
                consented_on=TODAY(),
                form_version="2.1",
            )


def test_consent_is_refused_outside_the_study_or_in_the_future(world: World) -> None:
    study = study_in(world.agency)
    with pytest.raises(ValidationError):
        services.enrol(
            actor=world.supervisor,
            study=study,
            client=world.own_client,
            consented_on=TODAY() + timedelta(days=1),
            form_version="1",
        )
    elsewhere = ClientFactory.create(agency=world.agency)
    EpisodeFactory.create(client=elsewhere, team=world.other_programme_team)
    with pytest.raises(PermissionDenied):  # the supervisor's team is not there
        services.enrol(
            actor=world.supervisor,
            study=study,
            client=elsewhere,
            consented_on=TODAY(),
            form_version="1",
        )
    study.status = StudyStatus.CLOSED
    study.save()
    with pytest.raises(ValidationError):
        services.enrol(
            actor=world.supervisor,
            study=study,
            client=world.own_client,
            consented_on=TODAY(),
            form_version="1",
        )


def test_a_study_narrowed_to_teams_takes_consent_only_there(world: World) -> None:
    study = study_in(world.agency)
    study.teams.set([world.other_team])
    assert study not in selectors.consent_studies_for(world.own_client)
    assert study in selectors.consent_studies_for(world.other_team_client)


def test_withdrawal_and_void_leave_every_later_data_set(world: World) -> None:
    study = study_in(world.agency)
    first, second = consent_of(world.own_client), consent_of(world.team_client)
    assert set(selectors.active_enrolments(study)) == {first, second}
    services.withdraw_enrolment(
        actor=world.case_manager,
        enrolment=first,
        expected_version=1,
        withdrawn_on=TODAY(),
        reason="Asked to leave the study",
    )
    services.void_enrolment(
        actor=world.supervisor, enrolment=second, expected_version=1, reason="Wrong study"
    )
    assert list(selectors.active_enrolments(study)) == []
    study.refresh_from_db()
    assert study.data_version == 3
    assert first.withdrawal_recorded_by == world.case_manager
    assert [c.kind for c in EnrolmentChange.objects.order_by("pk")] == ["withdrawn", "voided"]
    # A voided record no longer changes; a new consent may be recorded in its place.
    with pytest.raises(ValidationError):
        services.withdraw_enrolment(
            actor=world.supervisor,
            enrolment=second,
            expected_version=2,
            withdrawn_on=TODAY(),
            reason="x",
        )
    again = services.enrol(
        actor=world.supervisor,
        study=study,
        client=world.team_client,
        consented_on=TODAY(),
        form_version="1",
    )
    assert again.pk != second.pk


def test_a_correction_needs_a_reason_and_the_current_version(world: World) -> None:
    enrolment = consent_of(world.own_client)
    with pytest.raises(ValidationError):
        services.correct_enrolment(
            actor=world.case_manager,
            enrolment=enrolment,
            expected_version=1,
            reason=" ",
            consented_on=TODAY(),
            form_version="3",
            diagnosis_group="other",
        )
    services.correct_enrolment(
        actor=world.case_manager,
        enrolment=enrolment,
        expected_version=1,
        reason="Typed the wrong version",
        consented_on=TODAY(),
        form_version="3",
        diagnosis_group="other",
    )
    change = enrolment.changes.get()
    assert change.previous["form_version"] == "v1"
    assert Enrolment.objects.get(pk=enrolment.pk).form_version == "3"
    with pytest.raises(services.StudyChangedError):
        services.withdraw_enrolment(
            actor=world.case_manager,
            enrolment=Enrolment.objects.get(pk=enrolment.pk),
            expected_version=1,
            withdrawn_on=TODAY(),
            reason="x",
        )
    with pytest.raises(ValidationError):  # before the consent
        services.withdraw_enrolment(
            actor=world.case_manager,
            enrolment=Enrolment.objects.get(pk=enrolment.pk),
            expected_version=2,
            withdrawn_on=TODAY() - timedelta(days=1),
            reason="x",
        )


def test_counts_suppress_small_cells(world: World) -> None:
    study = study_in(world.agency)
    clients = [world.own_client, world.team_client, world.other_team_client]
    for client in clients:
        consent_of(client)
    counts = selectors.study_counts(study)
    assert (counts.enrolled, counts.withdrawn) == ("<5", 0)
    assert [(r.programme.name, r.enrolled) for r in counts.by_programme] == [("P1", "<5")]
    for _ in range(3):
        client = ClientFactory.create(agency=world.agency)
        EpisodeFactory.create(client=client, team=world.team)
        consent_of(client)
    counts = selectors.study_counts(study)
    assert counts.enrolled == 6
    assert counts.by_programme[0].enrolled == 6


def test_who_sees_a_study(world: World) -> None:
    study = study_in(world.agency)
    for user in (world.researcher, world.agency_admin, world.programme_manager):
        assert study in selectors.studies_visible_to(user)
    outsider = _researcher(world)
    for user in (outsider, world.case_manager, world.other_agency_case_manager):
        assert study not in selectors.studies_visible_to(user)
