"""Each programme's intake rules: required referral fields and the eligibility screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tandem.clients.models import IntakePolicy, QuestionType, Referral
from tandem.orgs.models import Programme, ProgrammeModel

Answer = bool | str | float | None


@dataclass(frozen=True)
class Criterion:
    """One screening question; an answer that does not fit flags a likely mismatch.

    Yes/no: ``expected`` is the answer that fits. Choice: ``options`` are offered and
    ``accepted`` fit. Number: a number from ``low`` to ``high`` fits (either may be open).
    An unanswered question that is not ``required`` flags nothing.
    """

    code: str
    label: str
    expected: bool = True
    type: str = QuestionType.YES_NO
    required: bool = True
    options: tuple[str, ...] = ()
    accepted: tuple[str, ...] = field(default=())
    low: float | None = None
    high: float | None = None

    def fits(self, answer: Answer) -> bool:
        """Whether the answer fits the programme (an unanswered optional question does)."""
        if answer is None or answer == "":
            return not self.required
        if self.type == QuestionType.CHOICE:
            return answer in self.accepted
        if self.type == QuestionType.NUMBER:
            if isinstance(answer, bool) or not isinstance(answer, int | float):
                return False
            return (self.low is None or answer >= self.low) and (
                self.high is None or answer <= self.high
            )
        return answer is self.expected

    def as_stored(self) -> dict[str, Any]:
        """The question as ``IntakePolicy.criteria`` keeps it."""
        stored: dict[str, Any] = {
            "code": self.code,
            "label": self.label,
            "type": str(self.type),
            "required": self.required,
        }
        if self.type == QuestionType.YES_NO:
            stored["expected"] = self.expected
        elif self.type == QuestionType.CHOICE:
            stored["options"] = list(self.options)
            stored["accepted"] = list(self.accepted)
        else:
            stored["min"] = self.low
            stored["max"] = self.high
        return stored

    def answer_text(self, answer: Answer) -> str:
        """The answer as a page shows it, in the reader's language and number format."""
        if answer is None or answer == "":
            return gettext("Not answered")
        if isinstance(answer, bool):
            return gettext("Yes") if answer else gettext("No")
        if isinstance(answer, float | int):
            places = 0 if float(answer).is_integer() else 2
            return str(number_format(answer, places))
        return str(answer)

    def fitting_text(self) -> str:
        """Which answers fit, as the configuration page shows it."""
        if self.type == QuestionType.CHOICE:
            return ", ".join(self.accepted)
        if self.type == QuestionType.NUMBER:
            low = "" if self.low is None else str(number_format(self.low))
            high = "" if self.high is None else str(number_format(self.high))
            if low and high:
                return gettext("from %(low)s to %(high)s") % {"low": low, "high": high}
            if low:
                return gettext("%(low)s or more") % {"low": low}
            if high:
                return gettext("%(high)s or less") % {"high": high}
            return gettext("any number")
        return gettext("Yes") if self.expected else gettext("No")


def criterion_from_stored(stored: dict[str, Any]) -> Criterion:
    """A question from ``IntakePolicy.criteria`` (an untyped one is yes/no, required)."""
    kind = str(stored.get("type", QuestionType.YES_NO))
    return Criterion(
        code=str(stored["code"]),
        label=str(stored["label"]),
        expected=bool(stored.get("expected", True)),
        type=kind,
        required=bool(stored.get("required", True)),
        options=tuple(str(o) for o in stored.get("options") or ()),
        accepted=tuple(str(o) for o in stored.get("accepted") or ()),
        low=stored.get("min"),
        high=stored.get("max"),
    )


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


def default_criteria(programme: Programme) -> list[Criterion]:
    """The screen of the programme's model: what applies while it sets no questions."""
    rows = STCM_CRITERIA if programme.model == ProgrammeModel.STCM else ONGOING_CRITERIA
    return [Criterion(code, str(label), expected) for code, label, expected in rows]


def has_own_criteria(programme: Programme) -> bool:
    policy = _policy(programme)
    return policy is not None and bool(policy.criteria)


def criteria_for(programme: Programme) -> list[Criterion]:
    """The programme's screen: its own policy's questions in order, or its model's defaults."""
    policy = _policy(programme)
    if policy is not None and policy.criteria:
        return [criterion_from_stored(c) for c in policy.criteria]
    return default_criteria(programme)


def required_fields_for(programme: Programme) -> tuple[str, ...]:
    policy = _policy(programme)
    if policy is not None:
        return tuple(policy.required_fields)
    return DEFAULT_REQUIRED_FIELDS


def mismatches(programme: Programme, answers: dict[str, Answer]) -> list[str]:
    """Codes of the questions whose answer does not fit the programme."""
    return [c.code for c in criteria_for(programme) if not c.fits(answers.get(c.code))]


def labels_of(referral: Referral) -> list[tuple[Criterion, str, bool]]:
    """(question, the answer as shown, is a mismatch) for a screened referral."""
    flagged = set(referral.mismatch_codes)
    return [
        (c, c.answer_text(referral.screening.get(c.code)), c.code in flagged)
        for c in criteria_for(referral.programme)
    ]
