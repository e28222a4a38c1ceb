"""Each programme's intake rules: required referral fields and the eligibility screen."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tandem.clients.models import IntakePolicy, Referral
from tandem.orgs.models import Programme, ProgrammeModel


@dataclass(frozen=True)
class Criterion:
    """One screening question; an answer other than ``expected`` flags a likely mismatch."""

    code: str
    label: str
    expected: bool


# Short-term case management fits people who need help finding their way through services, who
# want to work on goals and who already have some supports; when substance use is the primary
# need, the referral is likely a mismatch (seed 002).
STCM_CRITERIA = (
    ("navigation_need", _("Needs help navigating the health and social service system"), True),
    ("motivated", _("Motivated to work on goals with a case manager"), True),
    ("has_supports", _("Has some supports in place (family, friends, services)"), True),
    ("substance_use_primary", _("Substance use is the primary need"), False),
)
ONGOING_CRITERIA = (
    ("serious_mental_illness", _("Lives with a serious mental illness"), True),
    ("needs_ongoing_support", _("Needs ongoing support to live in the community"), True),
    ("wants_service", _("Wants to work with a case manager"), True),
)
DEFAULT_REQUIRED_FIELDS = ("current_supports", "risks", "consent_to_share")


def _policy(programme: Programme) -> IntakePolicy | None:
    try:
        return programme.intake_policy
    except IntakePolicy.DoesNotExist:
        return None


def criteria_for(programme: Programme) -> list[Criterion]:
    """The programme's screen: its own policy's criteria, or the defaults of its model."""
    policy = _policy(programme)
    if policy is not None and policy.criteria:
        return [
            Criterion(str(c["code"]), str(c["label"]), bool(c["expected"])) for c in policy.criteria
        ]
    rows = STCM_CRITERIA if programme.model == ProgrammeModel.STCM else ONGOING_CRITERIA
    return [Criterion(code, str(label), expected) for code, label, expected in rows]


def required_fields_for(programme: Programme) -> tuple[str, ...]:
    policy = _policy(programme)
    if policy is not None:
        return tuple(policy.required_fields)
    return DEFAULT_REQUIRED_FIELDS


def mismatches(programme: Programme, answers: dict[str, bool]) -> list[str]:
    """Codes of the criteria whose answer differs from what the programme expects."""
    return [c.code for c in criteria_for(programme) if answers.get(c.code) is not c.expected]


def labels_of(referral: Referral) -> list[tuple[Criterion, bool | None, bool]]:
    """(criterion, answer, is a mismatch) for a screened referral."""
    flagged = set(referral.mismatch_codes)
    return [
        (c, referral.screening.get(c.code), c.code in flagged)
        for c in criteria_for(referral.programme)
    ]
