"""What the configuration pages show: each programme's settings in force, their defaults and
the history of changes. The pages that change each setting belong to its app (schedules to
measures, intake to clients, indicator targets to fidelity, thresholds to alerts)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.alerts.models import POLICY_FIELDS, AlertPolicy
from tandem.alerts.selectors import alert_policy_for
from tandem.clients import eligibility
from tandem.clients.models import IntakePolicy, QuestionType, Referral
from tandem.fidelity.indicators import definitions as d
from tandem.fidelity.indicators.targets import TargetInForce, targets_in_force
from tandem.measures.labels import localised
from tandem.measures.models import Schedule, ScheduleRule
from tandem.measures.registry import UnknownInstrumentError, get_instrument
from tandem.measures.selectors import schedules_of
from tandem.orgs.models import ConfigurationChange, Programme
from tandem.orgs.selectors import configuration_changes_for

HISTORY_LENGTH = 50


def _number(value: float | Decimal) -> str:
    """A number in the reader's format with the decimals it needs, at most two (4.5, 0.25)."""
    number = round(float(value), 2)
    places = next(p for p in (0, 1, 2) if round(number, p) == number)
    return str(number_format(number, places))


def _instrument_title(code: str) -> str:
    try:
        return localised(get_instrument(code).title)
    except UnknownInstrumentError:
        return code


def _respondent_text(code: str) -> str:
    try:
        respondent = get_instrument(code).respondent
    except UnknownInstrumentError:
        return ""
    if respondent == "client":
        return _("The client, on a one-time link")
    if respondent == "assessor":
        return _("Staff: a fidelity assessor")
    return _("Staff: the case manager")


def wave_label(label: str) -> str:
    """A wave's stored label ("baseline", "month 4.5", "day 30") in the reader's language."""
    if label == "baseline":
        return _("baseline")
    if label == "intake":
        return _("intake")
    if label == "discharge":
        return _("discharge")
    kind, _space, amount = label.partition(" ")
    try:
        number = _number(Decimal(amount))
    except InvalidOperation:
        return label
    if kind == "month":
        return _("month %(n)s") % {"n": number}
    if kind == "day":
        return _("day %(n)s") % {"n": number}
    if kind == "contact":
        return _("contact %(n)s") % {"n": number}
    return label


def when_text(schedule: Schedule) -> str:
    """When the schedule makes a measure due, in words."""
    if schedule.rule == ScheduleRule.INTAKE:
        return _("At intake")
    if schedule.rule == ScheduleRule.DISCHARGE:
        return _("At discharge")
    if schedule.rule == ScheduleRule.EVERY_NTH_CONTACT:
        return _("Every %(n)s contacts") % {"n": schedule.every_n_contacts}
    waves = [wave_label(label) for label, _days in schedule.wave_offsets_days()]
    return _("Waves: %(waves)s") % {"waves": ", ".join(waves) or "-"}


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    schedule: Schedule
    instrument: str
    respondent: str
    when: str
    window: str


def schedule_rows(programme: Programme) -> list[ScheduleRow]:
    return [
        ScheduleRow(
            schedule=schedule,
            instrument=_instrument_title(schedule.instrument_code),
            respondent=_respondent_text(schedule.instrument_code),
            when=when_text(schedule),
            window=_("%(before)s days before to %(after)s days after")
            % {"before": schedule.window_before_days, "after": schedule.window_after_days},
        )
        for schedule in schedules_of(programme.pk)
    ]


def _field_label(name: str) -> str:
    return str(Referral._meta.get_field(name).verbose_name).capitalize()  # type: ignore[union-attr]  # concrete fields


@dataclass(frozen=True, slots=True)
class QuestionRow:
    label: str
    kind: str
    fitting: str
    required: bool


@dataclass(frozen=True, slots=True)
class IntakeSummary:
    required_fields: list[str]
    questions: list[QuestionRow]
    fields_are_default: bool
    questions_are_default: bool


def _question_rows(criteria: list[eligibility.Criterion]) -> list[QuestionRow]:
    return [
        QuestionRow(
            label=c.label,
            kind=str(QuestionType(c.type).label),
            fitting=c.fitting_text(),
            required=c.required,
        )
        for c in criteria
    ]


def intake_summary(programme: Programme) -> IntakeSummary:
    has_policy = IntakePolicy.objects.filter(programme=programme).exists()
    return IntakeSummary(
        required_fields=[_field_label(n) for n in eligibility.required_fields_for(programme)],
        questions=_question_rows(eligibility.criteria_for(programme)),
        fields_are_default=not has_policy,
        questions_are_default=not eligibility.has_own_criteria(programme),
    )


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    label: str
    value: str
    default: str


def _threshold_value(name: str, value: Any) -> str:
    if value is None:
        return _("none (reference values)")
    if name.endswith("_instrument"):
        return _instrument_title(str(value))
    if isinstance(value, int | float):
        return _number(value)
    return str(value)


def threshold_rows(programme: Programme) -> tuple[list[ThresholdRow], bool]:
    """The thresholds in force with their defaults, and whether all are the defaults."""
    policy = alert_policy_for(programme.pk)
    default = AlertPolicy()
    rows = [
        ThresholdRow(
            label=str(
                getattr(AlertPolicy._meta.get_field(name), "verbose_name", name)
            ).capitalize(),
            value=_threshold_value(name, getattr(policy, name)),
            default=_threshold_value(name, getattr(default, name)),
        )
        for name in POLICY_FIELDS
    ]
    return rows, policy.pk is None


@dataclass(frozen=True, slots=True)
class Defaults:
    """What applies to a programme wherever it configures nothing."""

    required_fields: list[str]
    questions: list[QuestionRow]
    targets: list[TargetInForce]
    thresholds: list[ThresholdRow]


def defaults_for(programme: Programme) -> Defaults:
    thresholds, _all_default = threshold_rows(programme)
    return Defaults(
        required_fields=[_field_label(n) for n in eligibility.DEFAULT_REQUIRED_FIELDS],
        questions=_question_rows(eligibility.default_criteria(programme)),
        targets=targets_in_force(programme),
        thresholds=thresholds,
    )


# ---- the history ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChangedSetting:
    label: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    change: ConfigurationChange
    title: str
    settings: list[ChangedSetting]
    # Something added has no "before": its settings are shown as set.
    created: bool


def _setting_label(object_type: str, name: str) -> str:
    try:
        return str(d.get_indicator(name).label)
    except KeyError:
        pass
    try:
        model = apps.get_model(object_type)
        return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _setting_value(name: str, value: Any, *, created: bool = False) -> str:
    if value is None:
        return "" if created else "-"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "instrument_code" or name.endswith("_instrument"):
        return _instrument_title(str(value))
    if name == "rule":
        try:
            return str(ScheduleRule(value).label)
        except ValueError:
            return str(value)
    try:
        definition = d.get_indicator(name)
    except KeyError:
        definition = None
    if definition is not None and isinstance(value, int | float):
        return definition.display(value)
    if name == "required_fields" and isinstance(value, list):
        return ", ".join(_field_label(str(v)) for v in value) or "-"
    if isinstance(value, list):
        parts = [str(v.get("label", "")) if isinstance(v, dict) else str(v) for v in value]
        return "; ".join(parts) or "-"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        try:
            return _number(Decimal(value))
        except InvalidOperation:
            return value
    return str(value)


def history_for(user: User, programme: Programme | None = None) -> list[HistoryRow]:
    rows = []
    for change in configuration_changes_for(user, programme=programme)[:HISTORY_LENGTH]:
        created = not change.before
        names = list(dict.fromkeys([*change.before, *change.after]))
        if created:
            # Something added: its settings as set, leaving out those it does not use.
            names = [name for name in names if change.after.get(name) is not None]
        rows.append(
            HistoryRow(
                change=change,
                title=localised(change.subject) if change.subject else "",
                settings=[
                    ChangedSetting(
                        label=_setting_label(change.object_type, name),
                        before=_setting_value(name, change.before.get(name), created=created),
                        after=_setting_value(name, change.after.get(name)),
                    )
                    for name in names
                ],
                created=created,
            )
        )
    return rows
