"""Every write of the research app, each checked, validated and audited in one transaction.

Studies are started by an agency administrator or a programme manager, over programmes they
may reach, and changed by whoever ``selectors.manages`` the study. Research consent is
recorded, corrected, withdrawn or voided by the people who may open the client's record.
A withdrawal, a void or a correction bumps the study's ``data_version``: an analysis made
before can then say that the data set has changed since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients.models import Client, Episode
from tandem.clients.selectors import clients_visible_to
from tandem.measures.registry import UnknownInstrumentError, get_instrument, normalise_code
from tandem.orgs.models import Agency, Programme, Team
from tandem.research import selectors
from tandem.research.models import (
    CODE_VALIDATOR,
    COVARIATE_COLUMNS,
    Bootstrap,
    DateMode,
    DiagnosisGroup,
    Enrolment,
    EnrolmentChange,
    ExposureDays,
    MemberRole,
    Study,
    StudyMeasure,
    StudyMember,
    StudyStatus,
    StudyWave,
)

MAX_WAVES = 20


class StudyChangedError(Exception):
    """The record was changed by someone else since the form was opened."""


@dataclass(frozen=True)
class WaveInput:
    code: str
    label: str
    target_day: int
    before_days: int
    after_days: int


@dataclass(frozen=True)
class AnalysisDefaults:
    """The analysis settings a study proposes by default."""

    mediator_instrument: str = ""
    mediator_wave: str = ""
    outcome_instrument: str = ""
    outcome_score: str = "total"
    outcome_wave: str = ""
    baseline_wave: str | None = None
    covariates: tuple[str, ...] = ()
    imputations: int = 20
    resamples: int = 5000
    bootstrap: str = Bootstrap.PERCENTILE
    cluster_by_team: bool = False
    seed: int = 1
    run_quarterly: bool = False


def _audit(actor: User, action: Action, obj: Any, agency_id: int) -> None:
    record_event(actor=actor, action=action, obj=obj, agency_id=agency_id)


def _require_reason(reason: str, field: str = "reason") -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({field: _("Say why the record is changed.")})
    return reason[:500]


def _claim(model: type[Any], obj: Any, expected_version: int) -> None:
    claimed = model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if claimed == 0:
        raise StudyChangedError
    obj.refresh_from_db()


def _require_manager(actor: User, study: Study) -> None:
    if not selectors.manages(actor, study):
        raise PermissionDenied


# ---- studies ----------------------------------------------------------------------------------
def _check_scope(
    actor: User,
    agency: Agency,
    programmes: Sequence[Programme],
    teams: Sequence[Team],
    study: Study | None = None,
) -> None:
    """Programmes of the study's agency. A new study, or a programme added to one, must be
    within the actor's reach, unless the actor leads the study (a researcher of the agency)."""
    if not programmes:
        raise ValidationError({"programmes": _("Choose at least one programme.")})
    allowed = set(selectors.programmes_for_studies_of(actor).values_list("pk", flat=True))
    if study is not None:
        allowed |= set(study.programmes.values_list("pk", flat=True))
        if selectors.leads(actor, study):
            allowed |= set(agency.programmes.values_list("pk", flat=True))
    if any(p.agency_id != agency.pk or p.pk not in allowed for p in programmes):
        raise ValidationError(
            {"programmes": _("Choose programmes of the study's agency that you may reach.")}
        )
    chosen = {p.pk for p in programmes}
    if any(t.programme_id not in chosen for t in teams):
        raise ValidationError({"teams": _("Each team must belong to one of the programmes.")})


def _check_basics(slug: str, title: str, exposure_days: int, date_mode: str) -> tuple[str, str]:
    slug, title = slug.strip().lower(), " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give the study a title.")})
    try:
        CODE_VALIDATOR(slug)
    except ValidationError as error:
        raise ValidationError({"slug": error.messages}) from None
    if exposure_days not in ExposureDays.values:
        raise ValidationError({"exposure_days": _("Choose 90, 180 or 270 days.")})
    if date_mode not in DateMode.values:
        raise ValidationError({"date_mode": _("Choose how dates appear in the data set.")})
    return slug, title[:200]


def create_study(
    *,
    actor: User,
    agency: Agency,
    title: str,
    slug: str,
    description: str = "",
    programmes: Sequence[Programme],
    teams: Sequence[Team] = (),
    exposure_days: int = ExposureDays.DAYS_180,
    date_mode: str = DateMode.DAYS,
    lead: User | None = None,
) -> Study:
    """Start a draft study over some programmes of an agency, with an optional lead."""
    if not selectors.agencies_for_studies_of(actor).filter(pk=agency.pk).exists():
        raise PermissionDenied
    slug, title = _check_basics(slug, title, exposure_days, date_mode)
    _check_scope(actor, agency, programmes, teams)
    if Study.objects.filter(agency=agency, slug=slug).exists():
        raise ValidationError({"slug": _("Another study of the agency has this short name.")})
    with transaction.atomic():
        study = Study.objects.create(
            agency=agency,
            title=title,
            slug=slug,
            description=description.strip(),
            exposure_days=exposure_days,
            date_mode=date_mode,
            created_by=actor,
        )
        study.programmes.set(programmes)
        study.teams.set(teams)
        _audit(actor, Action.CREATE, study, agency.pk)
        if lead is not None:
            _add_member(actor, study, lead, MemberRole.LEAD)
    return study


def update_study(
    *,
    actor: User,
    study: Study,
    expected_version: int,
    title: str,
    slug: str,
    description: str,
    status: str,
    programmes: Sequence[Programme],
    teams: Sequence[Team] = (),
    exposure_days: int,
    date_mode: str,
    waves: Sequence[WaveInput],
    measures: Sequence[tuple[str, str]],
    analysis: AnalysisDefaults,
) -> Study:
    """Change a study's details, protocol (waves and their measures) and analysis defaults."""
    _require_manager(actor, study)
    slug, title = _check_basics(slug, title, exposure_days, date_mode)
    if status not in StudyStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    _check_scope(actor, study.agency, programmes, teams, study)
    if Study.objects.filter(agency_id=study.agency_id, slug=slug).exclude(pk=study.pk).exists():
        raise ValidationError({"slug": _("Another study of the agency has this short name.")})
    waves = _check_waves(waves)
    measures = _check_measures(measures, {w.code for w in waves})
    _check_analysis(analysis, waves, measures)
    with transaction.atomic():
        _claim(Study, study, expected_version)
        study.title, study.slug, study.description = title, slug, description.strip()
        study.status, study.exposure_days, study.date_mode = status, exposure_days, date_mode
        for name, value in vars(analysis).items():
            setattr(study, name, list(value) if name == "covariates" else value)
        study.save()
        study.programmes.set(programmes)
        study.teams.set(teams)
        _set_protocol(study, waves, measures)
        _audit(actor, Action.UPDATE, study, study.agency_id)
    return study


def _check_waves(waves: Sequence[WaveInput]) -> list[WaveInput]:
    if len(waves) > MAX_WAVES:
        raise ValidationError({"waves": _("A study has at most 20 waves.")})
    seen: set[str] = set()
    for wave in waves:
        try:
            CODE_VALIDATOR(wave.code)
        except ValidationError:
            raise ValidationError(
                {
                    "waves": _(
                        "Wave code %(code)s: use lower-case letters, digits and underscores, "
                        "starting with a letter."
                    )
                    % {"code": wave.code}
                }
            ) from None
        if wave.code in seen:
            raise ValidationError(
                {"waves": _("Wave code %(code)s is used twice.") % {"code": wave.code}}
            )
        seen.add(wave.code)
        if not wave.label.strip():
            raise ValidationError(
                {"waves": _("Wave %(code)s needs a label.") % {"code": wave.code}}
            )
        if min(wave.target_day, wave.before_days, wave.after_days) < 0:
            raise ValidationError(
                {"waves": _("Days of wave %(code)s cannot be negative.") % {"code": wave.code}}
            )
        if wave.before_days > wave.target_day:
            raise ValidationError(
                {
                    "waves": _("The window of wave %(code)s opens before the enrolment.")
                    % {"code": wave.code}
                }
            )
    return list(waves)


def _check_measures(measures: Sequence[tuple[str, str]], codes: set[str]) -> list[tuple[str, str]]:
    cleaned: list[tuple[str, str]] = []
    for wave_code, instrument in measures:
        if wave_code not in codes:
            raise ValidationError(
                {"measures": _("There is no wave %(code)s.") % {"code": wave_code}}
            )
        try:
            code = get_instrument(instrument).code
        except UnknownInstrumentError:
            raise ValidationError(
                {"measures": _("There is no instrument %(code)s.") % {"code": instrument}}
            ) from None
        if (wave_code, code) not in cleaned:
            cleaned.append((wave_code, code))
    return cleaned


def _check_analysis(
    analysis: AnalysisDefaults, waves: list[WaveInput], measures: list[tuple[str, str]]
) -> None:
    codes = {w.code for w in waves}
    measured = set(measures)
    errors: dict[str, str] = {}
    for instrument, wave, field in (
        (analysis.mediator_instrument, analysis.mediator_wave, "mediator"),
        (analysis.outcome_instrument, analysis.outcome_wave, "outcome"),
    ):
        if not instrument and not wave:
            continue
        if wave not in codes:
            errors[f"{field}_wave"] = _("Choose one of the study's waves.")
        elif (wave, normalise_code(instrument)) not in measured:
            errors[f"{field}_instrument"] = _("This instrument is not given at that wave.")
    if analysis.baseline_wave and analysis.baseline_wave not in codes:
        errors["baseline_wave"] = _("Choose one of the study's waves.")
    if analysis.outcome_instrument and analysis.outcome_score != "total":
        try:
            scores = {s.name for s in get_instrument(analysis.outcome_instrument).scores}
        except UnknownInstrumentError:
            scores = set()
        if analysis.outcome_score not in scores:
            errors["outcome_score"] = _("The outcome instrument has no such score.")
    unknown = [c for c in analysis.covariates if c not in COVARIATE_COLUMNS]
    if unknown:
        errors["covariates"] = _("Unknown covariates: %(names)s.") % {"names": ", ".join(unknown)}
    if not 0 <= analysis.imputations <= 200:
        errors["imputations"] = _("Between 0 and 200 imputations.")
    if not 100 <= analysis.resamples <= 100_000:
        errors["resamples"] = _("Between 100 and 100,000 resamples.")
    if analysis.bootstrap not in Bootstrap.values:
        errors["bootstrap"] = _("Choose a bootstrap interval.")
    if analysis.seed < 0:
        errors["seed"] = _("The seed is a whole number, 0 or more.")
    if errors:
        raise ValidationError(errors)


def _set_protocol(study: Study, waves: list[WaveInput], measures: list[tuple[str, str]]) -> None:
    """Replace the waves and measures by the given ones, keeping rows that did not change."""
    existing = {w.code: w for w in study.waves.all()}
    for order, wave in enumerate(waves, start=1):
        row = existing.pop(wave.code, None) or StudyWave(study=study, code=wave.code)
        row.label, row.target_day = wave.label.strip()[:120], wave.target_day
        row.before_days, row.after_days, row.order = wave.before_days, wave.after_days, order
        row.save()
    for row in existing.values():
        row.delete()
    by_code = {w.code: w for w in study.waves.all()}
    wanted = {(by_code[w], c) for w, c in measures}
    current = {(m.wave, m.instrument_code): m for m in study.measures.select_related("wave")}
    for key, measure in current.items():
        if key not in wanted:
            measure.delete()
    for given_at, code in wanted - set(current):
        StudyMeasure.objects.create(study=study, wave=given_at, instrument_code=code)


# ---- members ----------------------------------------------------------------------------------
def _add_member(actor: User, study: Study, user: User, role: str) -> StudyMember:
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    is_researcher = selectors.holds_role(user, study.agency_id, Role.RESEARCHER)
    is_admin = selectors.holds_role(user, study.agency_id, Role.AGENCY_ADMIN)
    if not user.is_active or not (is_researcher or (is_admin and role == MemberRole.LEAD)):
        raise ValidationError(
            {
                "user": _(
                    "Members are researchers of the study's agency; its administrators may "
                    "join as lead."
                )
            }
        )
    try:
        with transaction.atomic():
            member = StudyMember.objects.create(study=study, user=user, role=role, added_by=actor)
    except IntegrityError:
        raise ValidationError({"user": _("This person is already a member.")}) from None
    _audit(actor, Action.CREATE, member, study.agency_id)
    return member


def add_member(*, actor: User, study: Study, user: User, role: str) -> StudyMember:
    """Add a researcher (or an administrator as lead) to the study."""
    _require_manager(actor, study)
    with transaction.atomic():
        return _add_member(actor, study, user, role)


def remove_member(*, actor: User, member: StudyMember) -> None:
    """Take a person off the study: they no longer see it."""
    study = member.study
    _require_manager(actor, study)
    with transaction.atomic():
        _audit(actor, Action.DELETE, member, study.agency_id)
        member.delete()


# ---- research consent -------------------------------------------------------------------------
def _require_care_team(actor: User, client: Client) -> None:
    if not selectors.may_record_consent(actor):
        raise PermissionDenied
    if not clients_visible_to(actor).filter(pk=client.pk).exists():
        raise PermissionDenied


def _check_consent(consented_on: date, form_version: str, diagnosis_group: str) -> str:
    if consented_on > timezone.localdate():
        raise ValidationError({"consented_on": _("The consent date cannot be in the future.")})
    form_version = form_version.strip()
    if not form_version:
        raise ValidationError(
            {"form_version": _("Say which version of the consent form was signed.")}
        )
    if diagnosis_group not in DiagnosisGroup.values:
        raise ValidationError({"diagnosis_group": _("Choose a diagnosis group.")})
    return form_version[:40]


def _snapshot(enrolment: Enrolment) -> dict[str, str]:
    return {
        "consented_on": enrolment.consented_on.isoformat(),
        "form_version": enrolment.form_version,
        "diagnosis_group": enrolment.diagnosis_group,
        "withdrawn_on": enrolment.withdrawn_on.isoformat() if enrolment.withdrawn_on else "",
    }


def _data_changed(study: Study) -> None:
    Study.objects.filter(pk=study.pk).update(data_version=F("data_version") + 1)


def enrol(
    *,
    actor: User,
    study: Study,
    client: Client,
    consented_on: date,
    form_version: str,
    diagnosis_group: str = DiagnosisGroup.NOT_RECORDED,
) -> Enrolment:
    """Record the client's research consent to the study."""
    _require_care_team(actor, client)
    if study.pk not in {s.pk for s in selectors.consent_studies_for(client)}:
        raise ValidationError(
            _("This study is closed or does not run in any of the client's programmes.")
        )
    form_version = _check_consent(consented_on, form_version, diagnosis_group)
    if Enrolment.objects.filter(study=study, client=client, is_voided=False).exists():
        raise ValidationError(_("The client's consent to this study is already recorded."))
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                study=study,
                client=client,
                consented_on=consented_on,
                form_version=form_version,
                diagnosis_group=diagnosis_group,
                recorded_by=actor,
            )
            _audit(actor, Action.CREATE, enrolment, client.agency_id)
    except IntegrityError:
        raise ValidationError(
            _("The client's consent to this study is already recorded.")
        ) from None
    return enrolment


def _change(
    actor: User, enrolment: Enrolment, expected_version: int, kind: str, reason: str
) -> dict[str, str]:
    _require_care_team(actor, enrolment.client)
    if enrolment.is_voided:
        raise ValidationError(_("This record is voided: it can no longer be changed."))
    before = _snapshot(enrolment)
    _claim(Enrolment, enrolment, expected_version)
    if enrolment.is_voided:
        raise ValidationError(_("This record is voided: it can no longer be changed."))
    EnrolmentChange.objects.create(
        enrolment=enrolment, kind=kind, reason=reason, previous=before, changed_by=actor
    )
    return before


def correct_enrolment(
    *,
    actor: User,
    enrolment: Enrolment,
    expected_version: int,
    reason: str,
    consented_on: date,
    form_version: str,
    diagnosis_group: str,
) -> Enrolment:
    """Correct a consent record entered wrongly, saying why."""
    reason = _require_reason(reason)
    form_version = _check_consent(consented_on, form_version, diagnosis_group)
    if enrolment.withdrawn_on is not None and enrolment.withdrawn_on < consented_on:
        raise ValidationError({"consented_on": _("The consent cannot follow its withdrawal.")})
    with transaction.atomic():
        _change(actor, enrolment, expected_version, EnrolmentChange.Kind.CORRECTED, reason)
        enrolment.consented_on, enrolment.form_version = consented_on, form_version
        enrolment.diagnosis_group = diagnosis_group
        enrolment.save(update_fields=["consented_on", "form_version", "diagnosis_group"])
        _data_changed(enrolment.study)
        _audit(actor, Action.UPDATE, enrolment, enrolment.client.agency_id)
    return enrolment


def withdraw_enrolment(
    *,
    actor: User,
    enrolment: Enrolment,
    expected_version: int,
    withdrawn_on: date,
    reason: str,
) -> Enrolment:
    """Record that the client withdrew consent: left out of every later data set."""
    reason = _require_reason(reason)
    if enrolment.withdrawn_on is not None:
        raise ValidationError(_("This consent is already withdrawn."))
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("The date cannot be in the future.")})
    if withdrawn_on < enrolment.consented_on:
        raise ValidationError({"withdrawn_on": _("The withdrawal cannot precede the consent.")})
    with transaction.atomic():
        _change(actor, enrolment, expected_version, EnrolmentChange.Kind.WITHDRAWN, reason)
        enrolment.withdrawn_on, enrolment.withdrawal_reason = withdrawn_on, reason
        enrolment.withdrawal_recorded_by = actor
        enrolment.save(
            update_fields=["withdrawn_on", "withdrawal_reason", "withdrawal_recorded_by"]
        )
        _data_changed(enrolment.study)
        _audit(actor, Action.UPDATE, enrolment, enrolment.client.agency_id)
    return enrolment


def void_enrolment(
    *, actor: User, enrolment: Enrolment, expected_version: int, reason: str
) -> Enrolment:
    """Void a consent record entered in error: it stays, out of every data set."""
    reason = _require_reason(reason)
    with transaction.atomic():
        _change(actor, enrolment, expected_version, EnrolmentChange.Kind.VOIDED, reason)
        enrolment.is_voided, enrolment.void_reason = True, reason
        enrolment.voided_by, enrolment.voided_at = actor, timezone.now()
        enrolment.save(update_fields=["is_voided", "void_reason", "voided_by", "voided_at"])
        _data_changed(enrolment.study)
        _audit(actor, Action.UPDATE, enrolment, enrolment.client.agency_id)
    return enrolment


def client_programme_ids(client: Client) -> set[int]:
    return set(Episode.objects.filter(client=client).values_list("programme_id", flat=True))
