"""The API's pydantic schemas: what each resource shows, and what a write accepts."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema


class ClientOut(Schema):
    id: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    preferred_language: str


class EpisodeOut(Schema):
    id: int
    client_id: int
    programme_id: int
    team_id: int
    primary_case_manager_id: int | None
    status: str
    start_date: date
    end_date: date | None


class ReferralOut(Schema):
    id: int
    programme_id: int
    received_on: date
    given_name: str
    family_name: str
    date_of_birth: date
    priority: int
    status: str
    client_id: int | None
    episode_id: int | None


class ReferralPage(Schema):
    items: list[ReferralOut]
    next_cursor: str | None


class ContactIn(Schema):
    occurred_on: date
    minutes: int = Field(..., ge=0, le=1440)
    mode: str = Field(..., max_length=10)
    with_whom: str = Field("client", max_length=10)
    note: str = Field("", max_length=1000)


class ContactOut(Schema):
    id: int
    client_id: int
    episode_id: int
    worker_id: int
    occurred_on: date
    minutes: int
    mode: str
    with_whom: str
    note: str
    voided_at: datetime | None


class StepOut(Schema):
    id: int
    action: str
    responsible: str
    due_on: date
    status: str
    completed_on: date | None
    resource_id: int | None


class GoalOut(Schema):
    id: int
    domain: str
    own_words: str
    status: str
    achieved_on: date | None
    steps: list[StepOut]


class PlanOut(Schema):
    id: int | None
    episode_id: int | None
    vision: str
    version: int
    goals: list[GoalOut]


class StepStatusIn(Schema):
    status: Literal["planned", "done", "not_done"]
    on: date | None = None


class GoalStatusIn(Schema):
    status: Literal["active", "achieved", "set_aside"]
    on: date | None = None


class StepStatusOut(Schema):
    id: int
    status: str
    on: date | None


class AlertOut(Schema):
    id: int
    rule: str
    status: str
    team_id: int
    episode_id: int | None
    client_id: int | None
    worker_id: int | None
    opened_on: date
    escalated_at: datetime | None
    resolved_at: datetime | None
    reason: dict[str, Any]
    version: int


class AlertStepOut(Schema):
    status: str
    actor_id: int | None
    note: str
    at: datetime


class AlertDetailOut(AlertOut):
    steps: list[AlertStepOut]


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None


class ItemOut(Schema):
    id: str
    label: str
    scale: str
    reverse: bool


class InstrumentOut(Schema):
    code: str
    version: str
    title: str
    respondent: str
    languages: list[str]
    items: list[ItemOut]
    scores: list[str]


class AdministrationOut(Schema):
    id: int
    client_id: int
    episode_id: int
    instrument_code: str
    instrument_version: str
    wave: str
    due_date: date
    window_opens: date
    window_closes: date
    status: str
    completed_at: datetime | None
    closed_reason: str
    version: int


class InvitationEventOut(Schema):
    kind: str
    at: datetime
    link_id: int
    channel: str


class InvitationIn(Schema):
    # Only email: a link shown in person would put the secret link into the API's answer.
    channel: Literal["email"] = "email"


class InvitationOut(Schema):
    link_id: int
    channel: str
    expires_at: datetime


class CloseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ResponseIn(Schema):
    administration_id: int | None = None
    episode_id: int | None = None
    instrument_code: str = Field("", max_length=40)
    language: str = Field("en", pattern="^(en|fr)$")
    completed_on: date | None = None
    answers: dict[str, Any]


class ResponseOut(Schema):
    id: int
    administration_id: int | None
    client_id: int
    episode_id: int
    instrument_code: str
    instrument_version: str
    language: str
    answers: dict[str, Any]
    scores: dict[str, Any]
    completed_at: datetime | None
    version: int


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, str]] | None = None


class ClientPage(Schema):
    items: list[ClientOut]
    next_cursor: str | None


class AdministrationPage(Schema):
    items: list[AdministrationOut]
    next_cursor: str | None


class AlertStepIn(Schema):
    status: Literal["discussed", "action_agreed", "resolved"] = Field(
        ..., description="The step to move the alert to: forward only, resolved from any step."
    )
    note: str = Field(
        "", max_length=2000, description="What was agreed (required for action_agreed)."
    )


class ReviewAssessorOut(Schema):
    assessor_id: int
    submitted: bool


class DomainScoreOut(Schema):
    code: str
    name: str
    mean: float | None


class ReviewOut(Schema):
    id: int
    team_id: int
    scale_id: int
    review_date: date
    status: str
    total: float | None = Field(..., description="The sum of the domain means, once final.")
    is_high_fidelity: bool | None
    domain_means: dict[str, float] = Field(
        ..., description="Each rated domain's mean agreed rating, by domain code, once final."
    )
    finalised_at: datetime | None
    version: int


class ReviewDetailOut(ReviewOut):
    range_low: float | None
    range_high: float | None
    domains: list[DomainScoreOut]
    excluded_domains: list[str]
    agreement: dict[str, Any] | None
    panel: list[ReviewAssessorOut]


class ReviewPage(Schema):
    items: list[ReviewOut]
    next_cursor: str | None


class IndicatorPointOut(Schema):
    day: date
    value: float | None
    suppressed: bool


class TeamIndicatorOut(Schema):
    code: str
    domain: str
    label: str
    unit: str
    higher_is_better: bool | None
    value: float | None
    suppressed: bool = Field(
        ..., description="True when the team had fewer than five open clients: value left out."
    )
    text: str
    target: float | None
    history: list[IndicatorPointOut]


class WorkerIndicatorOut(Schema):
    worker_id: int
    caseload: float | None
    caseload_target: float | None
    individual_sessions: float | None


class TeamIndicatorsOut(Schema):
    team_id: int
    day: date | None
    indicators: list[TeamIndicatorOut]
    workers: list[WorkerIndicatorOut]


class AdministrationIn(Schema):
    """One administration to schedule by hand in a client's open episode."""

    episode_id: int = Field(ge=0, le=2_147_483_647)
    instrument_code: str = Field(min_length=1, max_length=40)
    due_date: date
    # Email the client a one-time link now (self-reported instruments only).
    send_invitation: bool = False
