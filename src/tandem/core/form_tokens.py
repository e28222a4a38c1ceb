"""One-time form tokens: a double click or a concurrent resubmission stores one row, not two.

Every form that creates something carries a hidden ``form_token`` (``{% form_token %}`` beside
``{% csrf_token %}``) and its view is wrapped in ``@form_token_required``. A token is 256 random
bits signed for the signed-in user and their session; it is valid as long as a session can live.

A POST claims its token by inserting its hash into ``FormSubmission`` (unique) in one
transaction with everything the view writes. A concurrent duplicate waits on the unique index
until the first submission commits, then finds the token taken and is sent where the first one
went, with "already saved". A submission that is not saved (the form comes back with errors,
a conflict, or a refusal) releases its token, so the person corrects it and sends it again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.access import user_of
from tandem.core.models import FormSubmission

View = Callable[..., HttpResponse]

FIELD_NAME = "form_token"
SALT = "tandem.core.form_tokens"
# Where the first submission went (a redirect) is remembered for its duplicates.
REDIRECT_STATUSES = frozenset({301, 302, 303})
# Set on the request by a view whose outcome a status code does not tell (see below).
_OUTCOME = "_tandem_form_token_outcome"
# A marker for the structural test: every creating view carries it.
MARKER = "form_token_required"
DUPLICATE_TAG = "already-saved"


class FormTokenError(Exception):
    """The posted token is missing, not one Tandem issued to this session, or too old."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def max_age_seconds() -> int:
    """How long a token stays valid: no longer than the session it is bound to can live."""
    return int(getattr(settings, "SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60))


def _signer(user_id: object, session_key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{SALT}:{user_id}:{session_key}")


def issue_token(*, user_id: object, session_key: str) -> str:
    """A new token for one form of this user's session."""
    return _signer(user_id, session_key).sign(secrets.token_urlsafe(32))


def token_for(request: HttpRequest) -> str:
    """A new token for a form rendered in this request; empty for visitors not signed in."""
    session_key = request.session.session_key if hasattr(request, "session") else None
    if not request.user.is_authenticated or not session_key:
        return ""
    return issue_token(user_id=request.user.pk, session_key=session_key)


def _token_hash(request: HttpRequest) -> str:
    """Check the posted token against this user and session; return the hash to claim."""
    posted = request.POST.get(FIELD_NAME, "")
    if not posted:
        raise FormTokenError("missing")
    session_key = request.session.session_key or ""
    try:
        nonce = _signer(request.user.pk, session_key).unsign(posted, max_age=max_age_seconds())
    except signing.SignatureExpired:
        raise FormTokenError("expired") from None
    except signing.BadSignature:
        raise FormTokenError("invalid") from None
    return hashlib.sha256(f"{request.user.pk}:{nonce}".encode()).hexdigest()


def expire_old_submissions() -> int:
    """Delete claims older than a token can live: a replayed old token is refused as expired."""
    cutoff = timezone.now() - timedelta(seconds=max_age_seconds())
    try:
        with transaction.atomic():
            deleted, _by_model = FormSubmission.objects.filter(claimed_at__lt=cutoff).delete()
    except DatabaseError:
        # Housekeeping only: two requests purging the same rows may trip over each other; the
        # next claim purges again.
        return 0
    return deleted


def _claim(user_id: int, token_hash: str) -> FormSubmission | None:
    """Insert the claim; None when the token is already taken (after waiting for its owner)."""
    try:
        # A savepoint, so that a taken token leaves the surrounding transaction usable.
        with transaction.atomic():
            return FormSubmission.objects.create(
                token_hash=token_hash, user_id=user_id, claimed_at=timezone.now()
            )
    except IntegrityError:
        return None


def submission_saved(request: HttpRequest, *, to: str) -> None:
    """Say that this POST saved what it was sent for, when the answer is a page, not a redirect.

    A duplicate of the submission is then sent to ``to``.
    """
    setattr(request, _OUTCOME, to)


def submission_not_saved(request: HttpRequest) -> None:
    """Say that this POST saved nothing although it answers with a redirect (an error message).

    Its token is released, so the person can send the form again.
    """
    setattr(request, _OUTCOME, "")


def _saved_location(request: HttpRequest, response: HttpResponse) -> str:
    """Where a duplicate goes; empty when this submission saved nothing."""
    told: str | None = getattr(request, _OUTCOME, None)
    if told is not None:
        return told
    if response.status_code in REDIRECT_STATUSES:
        return str(response["Location"])
    return ""


def _refused(request: HttpRequest, error: FormTokenError) -> HttpResponse:
    return render(request, "core/form_token_refused.html", {"code": error.code}, status=400)


def _already_saved(request: HttpRequest, claim: FormSubmission | None) -> HttpResponse:
    if claim is None or not claim.redirect_to:
        return _refused(request, FormTokenError("invalid"))
    messages.info(
        request,
        _("This form had already been sent: it was saved once, not twice."),
        extra_tags=DUPLICATE_TAG,
    )
    return HttpResponseRedirect(claim.redirect_to)


def form_token_required(view: View) -> View:
    """Refuse a POST without this session's one-time form token, and run each token once.

    Put it nearest the view, under the access checks. The view runs in one transaction with
    the claim; what the view writes is kept exactly as it would be without the token (a refused
    read's audit row too), and the claim only when the submission was saved.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        user = user_of(request)
        try:
            token_hash = _token_hash(request)
        except FormTokenError as error:
            return _refused(request, error)
        expire_old_submissions()
        failure: Exception | None = None
        with transaction.atomic():
            claim = _claim(user.pk, token_hash)
            if claim is None:
                taken = FormSubmission.objects.filter(token_hash=token_hash, user=user).first()
                return _already_saved(request, taken)
            try:
                response = view(request, *args, **kwargs)
            except DatabaseError:
                raise
            except Exception as error:
                # A refusal (404, 403) or a bug: keep the view's writes, as without a token,
                # release the token, then let the error through.
                claim.delete()
                failure = error
            else:
                location = _saved_location(request, response)
                if location:
                    claim.redirect_to = location
                    claim.save(update_fields=["redirect_to"])
                else:
                    claim.delete()
        if failure is not None:
            raise failure
        return response

    setattr(wrapped, MARKER, True)
    return wrapped


__all__ = [
    "FIELD_NAME",
    "FormTokenError",
    "expire_old_submissions",
    "form_token_required",
    "issue_token",
    "max_age_seconds",
    "submission_not_saved",
    "submission_saved",
    "token_for",
]
