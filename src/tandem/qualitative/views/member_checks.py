"""Member checking: the lead shares a case's summary; the participant reads it on a one-time
link and says whether it is right. The public page is rate limited and never cached."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.core.access import user_of
from tandem.core.addresses import client_address
from tandem.core.form_tokens import form_token_required, submission_saved
from tandem.core.forms import show_service_error
from tandem.measures.services import REFUSAL_WINDOW_SECONDS, address_digest, hash_token
from tandem.qualitative import selectors
from tandem.qualitative.models import CheckLanguage, MemberCheck, ProjectRole
from tandem.qualitative.selectors import ProjectAccess
from tandem.qualitative.services import member_checks as services
from tandem.qualitative.views.common import member_access

RATE_LIMIT_REQUESTS = 60
REFUSED_LIMIT = 200
LANGUAGES = ("en", "fr")


# ---- the project's side -------------------------------------------------------------------------
class ShareForm(forms.Form):
    case = forms.TypedChoiceField(label=gettext_lazy("Case"), coerce=int)
    summary = forms.CharField(
        label=gettext_lazy("Summary to share"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy(
            "What the participant will read: your summary of what they said, in plain words. "
            "Leave out anything about other people."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the page"), choices=CheckLanguage.choices
    )

    def __init__(self, data: Any, *, access: ProjectAccess) -> None:
        super().__init__(data)
        case = self.fields["case"]
        assert isinstance(case, forms.TypedChoiceField)  # noqa: S101 - declared above
        case.choices = [(c.pk, c.name) for c in selectors.active_cases_of(access)]


@require_GET
def member_check_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who was asked to check their summary, who answered, and what they said."""
    user = user_of(request)
    access = member_access(user, pk)
    return render(
        request,
        "qualitative/member_check_list.html",
        {
            "access": access,
            "project": access.project,
            "checks": selectors.member_checks_of(user, access),
            "now": timezone.now(),
        },
    )


def _check_url(request: HttpRequest) -> Any:
    def build(token: str) -> str:
        return request.build_absolute_uri(reverse("qualitative:member_check_answer", args=[token]))

    return build


@require_http_methods(["GET", "POST"])
@form_token_required
def member_check_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a case's summary and make its one-time link, shown once (leads)."""
    user: User = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD)
    form = ShareForm(request.POST or None, access=access)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            case = selectors.get_case_for(user, access, form.cleaned_data["case"])
            try:
                issued = services.share_summary(
                    actor=user,
                    case=case,
                    summary=form.cleaned_data["summary"],
                    language=form.cleaned_data["language"],
                    build_url=_check_url(request),
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                # Shown once; a second click lands on the list instead.
                submission_saved(request, to=reverse("qualitative:member_check_list", args=[pk]))
                response = render(
                    request,
                    "qualitative/member_check_link.html",
                    {
                        "access": access,
                        "project": access.project,
                        "check": issued.check,
                        "url": issued.url,
                    },
                )
                response["Cache-Control"] = "no-store"
                response["Referrer-Policy"] = "same-origin"
                return response
    return render(
        request,
        "qualitative/form.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "heading": _("Share a case's summary"),
            "intro": _(
                "The participant gets a link that works once and expires: they read the "
                "summary, say whether it matches what they meant, and may comment."
            ),
            "submit": _("Make the link"),
            "cancel_url": reverse("qualitative:member_check_list", args=[pk]),
        },
        status=status,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawing the link"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: shared with the wrong case, or the summary had a mistake."
        ),
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def member_check_withdraw(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    """Close a link not yet answered, with the reason, kept in the project's history (leads)."""
    user: User = user_of(request)
    access = member_access(user, pk, ProjectRole.LEAD)
    check = selectors.get_member_check_for(user, access, check_pk)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.withdraw_check(actor=user, check=check, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The link for %(case)s is withdrawn: it no longer opens.")
                    % {"case": check.case.name},
                )
                return redirect("qualitative:member_check_list", pk)
    return render(
        request,
        "qualitative/form.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "heading": _("Withdraw the link for %(case)s") % {"case": check.case.name},
            "intro": _(
                "The participant's link stops working at once. The summary stays in the list, "
                "marked as withdrawn, and the reason in the project's history."
            ),
            "submit": _("Withdraw the link"),
            "cancel_url": reverse("qualitative:member_check_list", args=[pk]),
        },
        status=status,
    )


# ---- the participant's page ---------------------------------------------------------------------
class AnswerForm(forms.Form):
    agrees = forms.TypedChoiceField(
        label=gettext_lazy("Does this summary match what you meant?"),
        choices=[
            ("yes", gettext_lazy("Yes, it does")),
            ("no", gettext_lazy("Not entirely")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Your comment (optional)"),
        required=False,
        max_length=services.MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def _count(key: str) -> int:
    cache.add(key, 0, REFUSAL_WINDOW_SECONDS)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, REFUSAL_WINDOW_SECONDS)
        return 1


def _rate_limited(address: str, token: str) -> bool:
    """Per address and token a runaway script, per address a guesser, gets 429 (keyed
    digests: the cache holds no address or token in clear)."""
    limit: int = getattr(settings, "QUALITATIVE_MEMBER_CHECK_RATE_LIMIT", RATE_LIMIT_REQUESTS)
    refused_limit: int = getattr(settings, "QUALITATIVE_MEMBER_CHECK_REFUSED_LIMIT", REFUSED_LIMIT)
    address_key = address_digest(address)
    if (cache.get(f"membercheck-refused:{address_key}") or 0) >= refused_limit:
        return True
    token_key = address_digest(f"{address}|{hash_token(token)}")
    return _count(f"membercheck:{token_key}") > limit


def _private(response: HttpResponse) -> HttpResponse:
    # The address is the token: never cached, never sent on as a referrer.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _session_key(token: str) -> str:
    return f"member_check_language:{hash_token(token)[:16]}"


def _chosen_language(request: HttpRequest, token: str, *, remember: bool = True) -> str | None:
    """The language picked on this link (``?lang=fr``); a refused request only reads it."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        if remember:
            request.session[_session_key(token)] = asked
        return asked
    kept = request.session.get(_session_key(token))
    return kept if kept in LANGUAGES else None


def _switch(current: str) -> list[dict[str, Any]]:
    # Each language named in itself, whatever the page's language.
    names = {"en": "English", "fr": "Français"}
    return [
        {"code": code, "name": names[code], "is_current": code == current} for code in LANGUAGES
    ]


def _page(
    request: HttpRequest, template: str, language: str, context: dict[str, Any], status: int
) -> HttpResponse:
    with translation.override(language):
        return _private(
            render(
                request,
                template,
                {**context, "language": language, "languages": _switch(language)},
                status=status,
            )
        )


def _refused(request: HttpRequest, token: str, status: int = 410) -> HttpResponse:
    language = (
        _chosen_language(request, token, remember=False)
        or (selectors.member_check_language_for_token(token) if status != 429 else None)
        or translation.get_language_from_request(request)
    )
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    return _page(request, "qualitative/member_check_refused.html", language, {}, status)


@login_not_required
@require_http_methods(["GET", "POST"])
def member_check_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The participant reads the summary and answers, once."""
    address = client_address(request)
    if _rate_limited(address, token):
        services.record_refused_request(address=address)
        return _refused(request, token, status=429)
    check: MemberCheck | None = selectors.usable_member_check_for_token(token, address=address)
    if check is None:
        _count(f"membercheck-refused:{address_digest(address)}")
        return _refused(request, token)
    language = _chosen_language(request, token) or check.language
    with translation.override(language):
        form = AnswerForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.record_answer(
                        check=check,
                        agrees=form.cleaned_data["agrees"],
                        comment=form.cleaned_data["comment"],
                    )
                except ValidationError:
                    return _refused(request, token)
                return _page(request, "qualitative/member_check_done.html", language, {}, 200)
        return _page(
            request,
            "qualitative/member_check_answer.html",
            language,
            {"check": check, "form": form},
            status,
        )
