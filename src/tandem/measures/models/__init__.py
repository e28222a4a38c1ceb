"""Measurement data: schedules and due administrations, responses, self-report links and
invitations, and agencies' licensed wording."""

from tandem.measures.models.instrument_wording import InstrumentWording
from tandem.measures.models.links import (
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    RefusedLinkAttempts,
    SelfReportLink,
)
from tandem.measures.models.responses import EnteredVia, Response, ResponseCorrection
from tandem.measures.models.schedules import (
    DAYS_PER_MONTH,
    OPEN_STATUSES,
    Administration,
    AdministrationChange,
    AdministrationChangeKind,
    AdministrationStatus,
    Schedule,
    ScheduleRule,
    ScheduleScope,
    status_on,
)

__all__ = [
    "DAYS_PER_MONTH",
    "OPEN_STATUSES",
    "Administration",
    "AdministrationChange",
    "AdministrationChangeKind",
    "AdministrationStatus",
    "EnteredVia",
    "InstrumentWording",
    "Invitation",
    "InvitationChannel",
    "InvitationKind",
    "InvitationStatus",
    "RefusedLinkAttempts",
    "Response",
    "ResponseCorrection",
    "Schedule",
    "ScheduleRule",
    "ScheduleScope",
    "SelfReportLink",
    "status_on",
]
