"""Member checking: the lead shares a case's summary on a one-time link; the participant answers.

The link is made and checked with the self-report links' machinery (``tandem.measures``): a
token of 256 random bits, of which only the SHA-256 is stored, expiring after
``LINK_LIFETIME_DAYS``, and closed by the answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.measures.services import (
    LINK_LIFETIME_DAYS,
    TOKEN_BYTES,
    hash_token,
    record_refused_link_request,
)
from tandem.qualitative.models import Case, ChangeKind, CheckLanguage, MemberCheck, ProjectRole
from tandem.qualitative.services.common import (
    record_project_change,
    refuse_if_archived,
    require_project_role,
    require_reason,
)

# A comment longer than this is refused: a participant's reply, not a document.
MAX_COMMENT_CHARS = 10_000


@dataclass(frozen=True)
class IssuedCheck:
    """A new member check and its address; the token is shown once and never stored."""

    check: MemberCheck
    url: str


def share_summary(
    *,
    actor: User,
    case: Case,
    summary: str,
    language: str,
    build_url: Callable[[str], str],
    now: datetime | None = None,
    lifetime_days: int = LINK_LIFETIME_DAYS,
) -> IssuedCheck:
    """Make a one-time link that shows ``summary`` to the case's participant (leads only).

    ``build_url(token)`` turns the token into the address to hand over.
    """
    now = now or timezone.now()
    project = case.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    if case.is_archived:
        raise ValidationError({"case": _("This case is archived.")})
    if language not in CheckLanguage.values:
        raise ValidationError({"language": _("Choose English or French.")})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    check = MemberCheck(
        project=project,
        case=case,
        summary=summary.strip(),
        language=language,
        token_hash=hash_token(token),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    check.full_clean()
    with transaction.atomic():
        check.save()
        record_event(actor=actor, action=Action.CREATE, obj=check, agency_id=project.agency_id)
    return IssuedCheck(check=check, url=build_url(token))


def record_answer(
    *, check: MemberCheck, agrees: bool, comment: str, now: datetime | None = None
) -> MemberCheck:
    """Keep the participant's answer and close the link (once: a second answer is refused)."""
    now = now or timezone.now()
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValidationError(
            {
                "comment": _("The comment is longer than %(max)s characters.")
                % {"max": MAX_COMMENT_CHARS}
            }
        )
    with transaction.atomic():
        # The conditional update is the lock: of two answers sent at once, one is kept.
        closed = MemberCheck.objects.filter(
            pk=check.pk, answered_at__isnull=True, expires_at__gt=now
        ).update(answered_at=now, agrees=agrees, comment=comment)
        if closed == 0:
            raise ValidationError(_("This link cannot be used any more."), code="closed")
        record_event(actor=None, action=Action.UPDATE, obj=check, agency_id=check.project.agency_id)
    return MemberCheck.objects.get(pk=check.pk)


def withdraw_check(
    *, actor: User, check: MemberCheck, reason: str, now: datetime | None = None
) -> MemberCheck:
    """Close a link that was not answered yet, with the reason, kept in the project's history
    (leads only): a summary shared with the wrong case, or with a mistake in it."""
    now = now or timezone.now()
    project = check.project
    require_project_role(actor, project, ProjectRole.LEAD)
    refuse_if_archived(project)
    require_reason(reason)
    with transaction.atomic():
        # The conditional update is the lock: an answer sent at the same moment wins or loses whole.
        closed = MemberCheck.objects.filter(
            pk=check.pk, answered_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        if closed == 0:
            raise ValidationError(
                _("This link was already answered or has expired: there is nothing to withdraw."),
                code="closed",
            )
        record_project_change(
            actor=actor,
            project=project,
            obj=check,
            kind=ChangeKind.VOID,
            changes=[
                {
                    "field": "expires_at",
                    "before": timezone.localdate(check.expires_at).isoformat(),
                    "after": timezone.localdate(now).isoformat(),
                }
            ],
            reason=reason,
        )
    return MemberCheck.objects.get(pk=check.pk)


def record_refused_request(*, address: str) -> None:
    """Count a request refused by the public page's rate limit (the self-report links' count)."""
    record_refused_link_request(address=address, throttled=True)
