"""A supervision session's page, the client summary read while presenting, and agreed actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import Role, User
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required, submission_not_saved, submission_saved
from tandem.core.forms import show_service_error
from tandem.practice import services as practice_services
from tandem.practice.models import AgreedAction, SupervisionSession
from tandem.practice.selectors import get_session_for
from tandem.practice.supervision import selectors, services
from tandem.practice.supervision.forms import (
    AgreedActionForm,
    CorrectActionForm,
    MarkDoneForm,
    PresentationForm,
    ReopenActionForm,
    VoidActionForm,
)

SUPERVISING = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
CLINICAL = (Role.CASE_MANAGER, *SUPERVISING)
SUPERVISORS_STEPS = frozenset({"correct", "void"})


def _changed_elsewhere() -> str:
    return _(
        "This action was changed by someone else while you were editing. Read it as it is "
        "now, then save again."
    )


# ---- the session page ---------------------------------------------------------------------------
def _action_forms(
    entries: list[selectors.PresentationEntry], owners: list[User], bound: Form | None
) -> dict[int, Form]:
    """One "another agreed action" form per presented client; the posted one keeps its input."""
    clients = selectors.presented_clients(entries)
    found: dict[int, Form] = {}
    for entry in entries:
        client_id = entry.presentation.client_id
        posted = bound is not None and bound.data.get("client") == str(client_id)
        found[client_id] = (
            bound
            if posted and bound is not None
            else AgreedActionForm(
                clients=clients,
                owners=owners,
                initial={"client": client_id, "owner": entry.presentation.presenter_id},
                auto_id=f"id_c{client_id}_%s",
            )
        )
    return found


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session and its presented clients with the group's suggestions and agreed actions.

    Its supervisors present clients and agree actions here; a case manager reads, without
    forms, the presentations of their own clients.
    """
    user = user_of(request)
    session = get_session_for(user, pk)
    runs_session = selectors.supervises(user, session.team_id)
    if request.method == "POST" and not runs_session:
        raise PermissionDenied
    step = request.POST.get("step", "present") if request.method == "POST" else None
    episodes = selectors.presentable_episodes(user, session)
    owners = list(selectors.owners_for_session(session)) if runs_session else []
    present = PresentationForm(
        request.POST if step == "present" else None,
        episodes=episodes,
        owners=owners,
        summary_url=reverse("practice:presentation_summary", args=[session.pk]),
        initial=request.POST.dict() if step == "summary" else None,
    )
    summary = None
    chosen = request.POST.get("episode", "") if step == "summary" else ""
    if chosen.isdigit():
        summary = selectors.presenting_summary_for(user, session, int(chosen))
    entries = selectors.presentations_with_actions(user, session)
    agree: AgreedActionForm | None = None
    if step == "agree":
        posted_client = request.POST.get("client", "")
        agree = AgreedActionForm(
            request.POST,
            clients=selectors.presented_clients(entries),
            owners=owners,
            auto_id=f"id_c{posted_client if posted_client.isdigit() else 0}_%s",
        )
    if step == "present" and present.is_valid():
        if _present(user, session, present):
            messages.success(request, _("Presentation saved."))
            return redirect("practice:session_detail", pk=session.pk)
    elif agree is not None and agree.is_valid():
        try:
            services.agree_action(actor=user, session=session, **agree.cleaned_data)
        except ValidationError as error:
            show_service_error(agree, error)
        else:
            messages.success(request, _("Agreed action saved."))
            return redirect("practice:session_detail", pk=session.pk)
    forms = _action_forms(entries, owners, agree) if runs_session else {}
    return render(
        request,
        "practice/session_detail.html",
        {
            "session": session,
            "runs_session": runs_session,
            "attendees": list(session.attendees.order_by("full_name")),
            "rows": [{"entry": e, "form": forms.get(e.presentation.client_id)} for e in entries],
            "form": present,
            "summary": summary,
            "today": timezone.localdate(),
        },
    )


def _present(user: User, session: SupervisionSession, form: PresentationForm) -> bool:
    data = form.cleaned_data
    episode = data["episode"]
    try:
        practice_services.present_client(
            actor=user,
            session=session,
            client=episode.client,
            presenter=episode.primary_case_manager,
            question=data["question"],
            suggestions=data["suggestions"],
            agreed_action=data["agreed_action"],
            action_owner=data["action_owner"],
            action_due_on=data["action_due_on"],
        )
    except ValidationError as error:
        show_service_error(form, error)
        return False
    return True


@require_GET
@role_required(*SUPERVISING)
def presentation_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the chosen client's strengths and plan in short, beside the presentation form."""
    user = user_of(request)
    session = get_session_for(user, pk)
    if not selectors.supervises(user, session.team_id):
        raise PermissionDenied
    chosen = request.GET.get("episode", "")
    summary = (
        selectors.presenting_summary_for(user, session, int(chosen)) if chosen.isdigit() else None
    )
    return render(request, "practice/_presenting_summary.html", {"summary": summary})


# ---- one agreed action --------------------------------------------------------------------------
def _action_page_forms(action: AgreedAction, step: str | None, data: Any) -> dict[str, Form]:
    owners = list(selectors.owners_for_session(action.session))
    version = {"version": action.version}
    return {
        "correct": CorrectActionForm(
            data if step == "correct" else None,
            owners=owners,
            initial={
                **version,
                "text": action.text,
                "owner": action.owner_id,
                "due_on": action.due_on,
            },
        ),
        "void": VoidActionForm(data if step == "void" else None, initial=version),
        "reopen": ReopenActionForm(data if step == "reopen" else None, initial=version),
        "done": MarkDoneForm(data if step == "done" else None, initial=version),
    }


def _run_action_step(user: User, action: AgreedAction, step: str, data: dict[str, Any]) -> str:
    """Apply one change; the message to show."""
    version = data["version"]
    if step == "correct":
        services.correct_agreed_action(
            actor=user,
            action=action,
            expected_version=version,
            text=data["text"],
            owner=data["owner"],
            due_on=data["due_on"],
            reason=data["reason"],
        )
        return _("Agreed action corrected.")
    if step == "void":
        services.void_agreed_action(
            actor=user, action=action, expected_version=version, reason=data["void_reason"]
        )
        return _("Agreed action voided.")
    if step == "reopen":
        services.reopen_agreed_action(
            actor=user, action=action, expected_version=version, reason=data["reason"]
        )
        return _("Agreed action reopened.")
    services.mark_agreed_action_done(
        actor=user, action=action, expected_version=version, on=timezone.localdate()
    )
    return _("Agreed action marked done.")


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def agreed_action(request: HttpRequest, pk: int) -> HttpResponse:
    """An agreed action with its history: its supervisors correct or void it; they and its
    owner mark it done or reopen it."""
    user = user_of(request)
    action = selectors.get_agreed_action_for(user, pk)
    runs_session = selectors.supervises(user, action.session.team_id)
    step = request.POST.get("step") if request.method == "POST" else None
    if step in SUPERVISORS_STEPS and not runs_session:
        raise PermissionDenied
    forms = _action_page_forms(action, step, request.POST)
    form = forms.get(step or "")
    if form is not None and form.is_valid():
        try:
            message = _run_action_step(user, action, step or "", form.cleaned_data)
        except services.AgreedActionChangedError:
            # Show the action as it is now and keep what was typed; the hidden version moves
            # on, so that a second, deliberate save goes through.
            action = selectors.get_agreed_action_for(user, pk)
            kept = request.POST.copy()
            kept["version"] = str(action.version)
            forms = _action_page_forms(action, step, kept)
            form = forms[step or ""]
            form.is_valid()
            form.add_error(None, _changed_elsewhere())
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, message)
            return redirect("practice:agreed_action", pk=action.pk)
    return render(
        request,
        "practice/agreed_action.html",
        {
            "action": action,
            "runs_session": runs_session,
            "forms": forms,
            "history": selectors.action_history(action),
        },
    )


def _back(request: HttpRequest, posted: str) -> str:
    if posted and url_has_allowed_host_and_scheme(
        posted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return posted
    return reverse("practice:caseload")


@require_POST
@role_required(*CLINICAL)
@form_token_required
def agreed_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an agreed action done from the list it is in (htmx swaps the row; else back)."""
    user = user_of(request)
    action = selectors.get_closable_action_for(user, pk)
    form = MarkDoneForm(request.POST)
    back = _back(request, request.POST.get("next", ""))
    problem = ""
    if not form.is_valid():
        problem = _("The form was incomplete: reload the page and try again.")
    else:
        try:
            action = services.mark_agreed_action_done(
                actor=user,
                action=action,
                expected_version=form.cleaned_data["version"],
                on=timezone.localdate(),
            )
        except services.AgreedActionChangedError:
            problem = _changed_elsewhere()
        except ValidationError as error:
            problem = " ".join(error.messages)
    if problem:
        submission_not_saved(request)
        action.refresh_from_db()
    else:
        submission_saved(request, to=back)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "practice/_agreed_action_item.html",
            {
                "action": action,
                "problem": problem,
                "may_close": True,
                "show_client": request.POST.get("show_client") == "1",
                "show_owner": request.POST.get("show_owner") == "1",
                "today": timezone.localdate(),
                "back": back,
            },
        )
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Agreed action marked done."))
    return redirect(back)
