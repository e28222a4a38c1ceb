"""Writes of the measurement workflow: due administrations, links, reminders and responses.

Each public function takes the acting user first (``None`` for the nightly task and for a client
answering on a link), checks permission, validates, and writes with its audit event in one
transaction. Emails leave on commit.
"""

from tandem.measures.services._common import LINK_LIFETIME_DAYS, TOKEN_BYTES, hash_token
from tandem.measures.services.administrations import (
    close_not_collected,
    create_contact_administrations,
    create_due_administrations,
    on_episode_closed,
    refresh_administration_statuses,
    reopen_administration,
)
from tandem.measures.services.links import (
    IssuedLink,
    cancel_invitation,
    issue_link,
    resend_invitation,
    send_due_reminders,
)
from tandem.measures.services.one_off import (
    EXTRA_WAVE,
    programme_instrument_codes,
    schedule_administration,
)
from tandem.measures.services.refusals import (
    REFUSAL_WINDOW_SECONDS,
    address_digest,
    record_refused_link_request,
)
from tandem.measures.services.responses import (
    client_first_name,
    completed_at_for,
    correct_response,
    draft_for,
    save_self_report_progress,
    submit_response,
    submit_self_report,
)
from tandem.measures.services.schedules import (
    SCHEDULE_FIELDS,
    create_schedule,
    schedule_settings,
    set_schedule_active,
    update_schedule,
)
from tandem.measures.services.wording import load_wording

__all__ = [
    "EXTRA_WAVE",
    "LINK_LIFETIME_DAYS",
    "REFUSAL_WINDOW_SECONDS",
    "SCHEDULE_FIELDS",
    "TOKEN_BYTES",
    "IssuedLink",
    "address_digest",
    "cancel_invitation",
    "client_first_name",
    "close_not_collected",
    "completed_at_for",
    "correct_response",
    "create_contact_administrations",
    "create_due_administrations",
    "create_schedule",
    "draft_for",
    "hash_token",
    "issue_link",
    "load_wording",
    "on_episode_closed",
    "programme_instrument_codes",
    "record_refused_link_request",
    "refresh_administration_statuses",
    "reopen_administration",
    "resend_invitation",
    "save_self_report_progress",
    "schedule_administration",
    "schedule_settings",
    "send_due_reminders",
    "set_schedule_active",
    "submit_response",
    "submit_self_report",
    "update_schedule",
]
