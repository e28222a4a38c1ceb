"""Every write to people's access: roles, passwords set for someone else, and lockouts.

Each service takes the acting user first, checks that they administer the agency concerned,
and writes the change with its audit event in one transaction. Nobody changes their own roles,
superusers included: a role that opens client records is always given by someone else, and
shows on the agency's "Role changes" page.
"""

from __future__ import annotations

from axes.utils import reset as reset_sign_in_failures
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from tandem.accounts.access import administers_account, administers_agency
from tandem.accounts.models import Membership, RoleChange, User
from tandem.audit.models import Action, Outcome
from tandem.audit.services import record_event
from tandem.orgs.models import Agency, Programme, Team

MEMBERSHIP_TYPE = "accounts.membership"
USER_TYPE = "accounts.user"
LOCKOUT_TYPE = "accounts.lockout"


def _refuse(
    *,
    actor: User | None,
    action: Action,
    object_type: str,
    object_id: object,
    agency_id: int | None,
) -> PermissionDenied:
    """Audit a refused change and return the exception for the caller to raise."""
    record_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        agency_id=agency_id,
        outcome=Outcome.DENIED,
    )
    return PermissionDenied()


def _is_self(actor: User | None, user: User) -> bool:
    return actor is not None and actor.pk == user.pk


def _may_change_roles_of(actor: User | None, user: User, agency_id: int) -> bool:
    """The actor administers the role's agency and the person's own agency, and is not them."""
    if actor is None:
        return True
    if _is_self(actor, user):
        return False
    return administers_agency(actor, agency_id) and administers_account(actor, user)


# ---- roles ---------------------------------------------------------------------------------
def grant_role(
    *,
    actor: User | None,
    user: User,
    role: str,
    agency: Agency,
    programme: Programme | None = None,
    team: Team | None = None,
) -> Membership:
    """Give ``user`` a role in an agency, one of its programmes, or one team.

    ``actor`` is ``None`` only for set-up from the command line (the demo loader).
    """
    if not _may_change_roles_of(actor, user, agency.pk):
        raise _refuse(
            actor=actor,
            action=Action.CREATE,
            object_type=MEMBERSHIP_TYPE,
            object_id="",
            agency_id=agency.pk,
        )
    membership = Membership(user=user, role=role, agency=agency, programme=programme, team=team)
    membership.full_clean()  # also fills in the team's programme
    if Membership.objects.filter(
        user=user,
        role=role,
        agency=agency,
        programme=membership.programme,
        team=membership.team,
    ).exists():
        raise ValidationError(_("This person already holds this role here."), code="duplicate")
    with transaction.atomic():
        membership.save()
        _record_change(actor=actor, membership=membership, kind=RoleChange.Kind.GRANTED)
        record_event(actor=actor, action=Action.CREATE, obj=membership, agency_id=agency.pk)
    return membership


def revoke_role(*, actor: User | None, membership: Membership) -> RoleChange:
    """Remove a membership; the removal stays on the agency's record of role changes."""
    if not _may_change_roles_of(actor, membership.user, membership.agency_id):
        raise _refuse(
            actor=actor,
            action=Action.DELETE,
            object_type=MEMBERSHIP_TYPE,
            object_id=membership.pk,
            agency_id=membership.agency_id,
        )
    pk = membership.pk
    with transaction.atomic():
        change = _record_change(actor=actor, membership=membership, kind=RoleChange.Kind.REVOKED)
        membership.delete()
        record_event(
            actor=actor,
            action=Action.DELETE,
            object_type=MEMBERSHIP_TYPE,
            object_id=str(pk),
            agency_id=change.agency_id,
        )
    return change


def change_role(
    *,
    actor: User | None,
    membership: Membership,
    role: str,
    agency: Agency,
    programme: Programme | None = None,
    team: Team | None = None,
) -> Membership:
    """Replace a membership by another: recorded as the old role removed and the new granted."""
    with transaction.atomic():
        revoke_role(actor=actor, membership=membership)
        return grant_role(
            actor=actor,
            user=membership.user,
            role=role,
            agency=agency,
            programme=programme,
            team=team,
        )


def _record_change(
    *, actor: User | None, membership: Membership, kind: RoleChange.Kind
) -> RoleChange:
    return RoleChange.objects.create(
        agency_id=membership.agency_id,
        user_id=membership.user_id,
        changed_by=actor,
        role=membership.role,
        programme_id=membership.programme_id,
        team_id=membership.team_id,
        kind=kind,
    )


# ---- passwords -----------------------------------------------------------------------------
def set_password(*, actor: User, user: User, raw_password: str | None) -> None:
    """Set a person's password (``None`` turns signing in with a password off).

    Someone who sets their own password is done. A password set by someone else (an
    administrator's reset, or a new account) must be replaced at the next sign-in, and the
    person is told by e-mail, so that nobody can quietly sign in as somebody else.
    """
    own = _is_self(actor, user)
    if not own and not administers_account(actor, user):
        raise _refuse(
            actor=actor,
            action=Action.PASSWORD_CHANGE,
            object_type=USER_TYPE,
            object_id=user.pk,
            agency_id=user.agency_id,
        )
    with transaction.atomic():
        if raw_password is None:
            user.set_unusable_password()
        else:
            user.set_password(raw_password)
        user.must_change_password = not own
        user.save(update_fields=["password", "must_change_password"])
        record_event(
            actor=actor,
            action=Action.PASSWORD_CHANGE,
            object_type=USER_TYPE,
            object_id=str(user.pk),
            agency_id=user.agency_id,
        )
        if not own:
            _send_password_notice(user, disabled=raw_password is None)


def _send_password_notice(user: User, *, disabled: bool) -> None:
    """Tell the person their password was set by someone else: no password, no link token."""
    with translation.override(user.preferred_language):
        subject = _("Your Tandem password was changed by an administrator")
        body = render_to_string(
            "accounts/email_password_set.txt",
            {"user": user, "disabled": disabled, "site_url": settings.SITE_URL},
        )
    recipient = user.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


def tell_old_address_of_email_change(*, actor: User, user: User, previous_email: str) -> None:
    """When someone else changes a person's e-mail address, tell the address it replaced.

    Otherwise an administrator could redirect the person's mail, then reset their password
    without the person ever hearing of it.
    """
    if _is_self(actor, user) or not previous_email or previous_email == user.email:
        return
    with translation.override(user.preferred_language):
        subject = _("The e-mail address of your Tandem account was changed")
        body = render_to_string(
            "accounts/email_address_changed.txt", {"user": user, "site_url": settings.SITE_URL}
        )
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [previous_email])
    )


# ---- lockouts ------------------------------------------------------------------------------
def unlock_account(*, actor: User, user: User) -> int:
    """Clear a person's failed sign-ins so that they can sign in again; return rows removed."""
    if not administers_account(actor, user):
        raise _refuse(
            actor=actor,
            action=Action.DELETE,
            object_type=LOCKOUT_TYPE,
            object_id=user.pk,
            agency_id=user.agency_id,
        )
    with transaction.atomic():
        removed: int = reset_sign_in_failures(username=user.email)
        record_event(
            actor=actor,
            action=Action.DELETE,
            object_type=LOCKOUT_TYPE,
            object_id=str(user.pk),
            agency_id=user.agency_id,
        )
    return removed
