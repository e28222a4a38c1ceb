"""The registry of continuous fidelity indicators and the review domain each one predicts.

Each indicator is computed from routine practice data (episodes, contacts, supervision,
assessments, plans) for a team on a day, and names the code of the fidelity-scale domain it
foreshadows, so that a team sees drift before its next review.

Targets: the caseload's is the programme's own ``caseload_target``; every other indicator has a
default target (``default_target``) that a programme replaces with its own on its configuration
page (``IndicatorTarget``). The defaults are Tandem's starting points, not published standards:
weekly contact and weekly group supervision as the seed papers describe the model, most contacts
in the community, assessments and plans current for nearly every client.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Review domain codes of the built-in scale (the indicators point at these).
CASELOAD_SIZE = "caseload_size"
COMMUNITY_CONTACT = "community_contact"
INDIVIDUAL_SUPERVISION = "individual_supervision"
GROUP_SUPERVISION = "group_supervision"
STRENGTHS_ASSESSMENT = "strengths_assessment"
RECOVERY_PLAN = "recovery_plan"
INTEGRATION = "integration"
COMMUNITY_RESOURCES = "community_resources"
HOPE = "hope"
DOMAIN_CODES = (
    CASELOAD_SIZE,
    COMMUNITY_CONTACT,
    INDIVIDUAL_SUPERVISION,
    GROUP_SUPERVISION,
    STRENGTHS_ASSESSMENT,
    RECOVERY_PLAN,
    INTEGRATION,
    COMMUNITY_RESOURCES,
    HOPE,
)
DOMAIN_LABELS: dict[str, StrOrPromise] = {
    CASELOAD_SIZE: _("Caseload size"),
    COMMUNITY_CONTACT: _("Contact in the community"),
    INDIVIDUAL_SUPERVISION: _("Individual supervision"),
    GROUP_SUPERVISION: _("Group supervision"),
    STRENGTHS_ASSESSMENT: _("Strengths Assessment"),
    RECOVERY_PLAN: _("Personal Recovery Plan"),
    INTEGRATION: _("Integration of the model"),
    COMMUNITY_RESOURCES: _("Natural community resources"),
    HOPE: _("Hope"),
}

# Windows of the indicators, in days up to and including the day computed.
CONTACT_WINDOW_DAYS = 28
SUPERVISION_WEEKS = 4
CURRENT_WITHIN_DAYS = 90


class Unit(StrEnum):
    """How a value reads: a share between 0 and 1, or a rate."""

    SHARE = "share"
    CLIENTS_PER_WORKER = "clients_per_worker"
    CONTACTS_PER_CLIENT_WEEK = "contacts_per_client_week"
    SESSIONS_PER_WORKER = "sessions_per_worker"

    @property
    def label(self) -> StrOrPromise:
        return UNIT_LABELS[self]


UNIT_LABELS: dict[Unit, StrOrPromise] = {
    Unit.SHARE: _("share"),
    Unit.CLIENTS_PER_WORKER: _("clients per case manager"),
    Unit.CONTACTS_PER_CLIENT_WEEK: _("contacts per client per week"),
    Unit.SESSIONS_PER_WORKER: _("sessions per case manager in 4 weeks"),
}


class TargetSource(StrEnum):
    """Where an indicator's target comes from."""

    NONE = "none"
    PROGRAMME_CASELOAD = "programme_caseload"


@dataclass(frozen=True, slots=True)
class IndicatorDefinition:
    """One indicator: its code, the review domain it predicts, and how to read its value."""

    code: str
    domain_code: str
    label: StrOrPromise
    unit: Unit
    target_source: TargetSource = TargetSource.NONE
    # None where neither direction is better in itself (for example a caseload near target).
    higher_is_better: bool | None = True
    # True when the value is derived from the team's clients, so that a team with fewer
    # than five open clients shows it suppressed (DESIGN.md, small cells).
    counts_clients: bool = True
    # The target where the programme sets none (a share between 0 and 1, or a rate); the
    # caseload's comes from the programme (``target_source``).
    default_target: float | None = None

    @property
    def domain_label(self) -> StrOrPromise:
        return DOMAIN_LABELS.get(self.domain_code, self.domain_code)

    def display(self, value: float) -> str:
        """The value as every page shows it: shares in whole per cent, rates whole or to one
        decimal, in the reader's number format."""
        if self.unit == Unit.SHARE:
            return f"{number_format(round(value * 100), 0)} %"
        places = 0 if float(value).is_integer() else 1
        return str(number_format(round(value, places), places))


CASELOAD_PER_WORKER = "caseload_per_worker"
COMMUNITY_CONTACT_SHARE = "community_contact_share"
CONTACTS_PER_CLIENT_WEEK = "contacts_per_client_week"
GROUP_SUPERVISION_WEEKLY = "group_supervision_weekly"
INDIVIDUAL_SUPERVISION_PER_WORKER = "individual_supervision_per_worker"
STRENGTHS_ASSESSMENT_CURRENT = "strengths_assessment_current"
RECOVERY_PLAN_CURRENT = "recovery_plan_current"
NATURAL_RESOURCE_GOALS = "natural_resource_goals"

INDICATORS: tuple[IndicatorDefinition, ...] = (
    IndicatorDefinition(
        code=CASELOAD_PER_WORKER,
        domain_code=CASELOAD_SIZE,
        label=_("Open clients per case manager"),
        unit=Unit.CLIENTS_PER_WORKER,
        target_source=TargetSource.PROGRAMME_CASELOAD,
        higher_is_better=False,
        counts_clients=False,
    ),
    IndicatorDefinition(
        code=COMMUNITY_CONTACT_SHARE,
        domain_code=COMMUNITY_CONTACT,
        label=_("Client contacts held in person in the community (last 4 weeks)"),
        unit=Unit.SHARE,
        default_target=0.75,
    ),
    IndicatorDefinition(
        code=CONTACTS_PER_CLIENT_WEEK,
        domain_code=COMMUNITY_CONTACT,
        label=_("Contacts per open client per week (last 4 weeks)"),
        unit=Unit.CONTACTS_PER_CLIENT_WEEK,
        default_target=1.0,
    ),
    IndicatorDefinition(
        code=GROUP_SUPERVISION_WEEKLY,
        domain_code=GROUP_SUPERVISION,
        label=_("Weeks with group supervision held (last 4 weeks)"),
        unit=Unit.SHARE,
        counts_clients=False,
        default_target=1.0,
    ),
    IndicatorDefinition(
        code=INDIVIDUAL_SUPERVISION_PER_WORKER,
        domain_code=INDIVIDUAL_SUPERVISION,
        label=_("Individual supervision sessions per case manager (last 4 weeks)"),
        unit=Unit.SESSIONS_PER_WORKER,
        counts_clients=False,
        default_target=2.0,
    ),
    IndicatorDefinition(
        code=STRENGTHS_ASSESSMENT_CURRENT,
        domain_code=STRENGTHS_ASSESSMENT,
        label=_("Open episodes with a Strengths Assessment in the last 90 days"),
        unit=Unit.SHARE,
        default_target=0.9,
    ),
    IndicatorDefinition(
        code=RECOVERY_PLAN_CURRENT,
        domain_code=RECOVERY_PLAN,
        label=_("Open episodes with a recovery plan updated in the last 90 days"),
        unit=Unit.SHARE,
        default_target=0.9,
    ),
    IndicatorDefinition(
        code=NATURAL_RESOURCE_GOALS,
        domain_code=COMMUNITY_RESOURCES,
        label=_("Active goals with a step using a natural community resource"),
        unit=Unit.SHARE,
        default_target=0.5,
    ),
)

_BY_CODE = {definition.code: definition for definition in INDICATORS}


def get_indicator(code: str) -> IndicatorDefinition:
    """The definition of one indicator; ``KeyError`` naming the code if there is none."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown indicator code {code!r}") from None


def indicators_for_domain(domain_code: str) -> tuple[IndicatorDefinition, ...]:
    """The indicators that predict one review domain (none for ``integration`` or ``hope``)."""
    return tuple(d for d in INDICATORS if d.domain_code == domain_code)
