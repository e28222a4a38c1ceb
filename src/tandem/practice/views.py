"""Caseload, Strengths Assessment, recovery plan, contacts, resources and supervision pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.clients.models import Client, Episode
from tandem.clients.selectors import caseload_for, get_client_for, waitlist_summary_for_teams
from tandem.core import listing
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.measures.selectors import measure_status_by_episode
from tandem.practice import selectors, services
from tandem.practice.corrections.selectors import voided_contacts_for, voided_plan_items
from tandem.practice.forms import (
    ContactForm,
    GoalForm,
    GoalStatusForm,
    ResourceForm,
    SessionForm,
    StepForm,
    StepStatusForm,
    StrengthsForm,
    VisionForm,
)

SUPERVISING = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)
CLINICAL = (Role.CASE_MANAGER, *SUPERVISING)


def _client_and_episode(request: HttpRequest, pk: int) -> tuple[Client, Episode | None]:
    user = user_of(request)
    client = get_client_for(user, pk)
    return client, selectors.current_episode_for(user, client)


def _changed_elsewhere(form: Form) -> None:
    form.add_error(
        None,
        _(
            "This plan was changed by someone else while you were editing. Your text is kept "
            "below: read the plan as it is now, then save again."
        ),
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.CASE_MANAGER)
@form_token_required
def caseload(request: HttpRequest) -> HttpResponse:
    """My caseload: clients of my open episodes and their status, searched, sorted, filtered."""
    user = user_of(request)
    today = timezone.localdate()
    state = listing.listing_for(
        request,
        "caseload",
        sorts=list(selectors.CASELOAD_SORTS),
        filters={
            "programme": listing.integer,
            "only": listing.choice(["no_recent_contact", "near_end"]),
        },
    )
    if isinstance(state, HttpResponse):
        return state
    all_episodes = selectors.with_practice_facts(caseload_for(user))
    shown = selectors.caseload_matching(
        all_episodes,
        today=today,
        search=state.search,
        programme_id=state.get("programme"),
        only=state.get("only"),
        sort=state.sort,
    )
    # The whole caseload is read again only when a search or filter narrowed what is shown.
    every = list(all_episodes) if state.is_filtered else shown
    next_steps = selectors.next_steps_for(shown)
    measures = measure_status_by_episode(e.pk for e in shown)
    rows = [
        {
            "episode": e,
            "client": e.client,
            "days": e.days_in_episode(today),
            "weeks_remaining": e.weeks_remaining(today),
            "near_end": e.is_near_end(today),
            "next_step": next_steps.get(e.pk),
            "measures": measures.get(e.pk, {}),
            "days_since_contact": (
                (today - e.last_contact_on).days  # type: ignore[attr-defined]  # annotated
                if e.last_contact_on is not None  # type: ignore[attr-defined]  # annotated
                else None
            ),
        }
        for e in shown
    ]
    targets = {e.programme.caseload_target for e in every}
    context = {
        "rows": rows,
        "total": len(every),
        "state": state,
        "programmes": sorted({e.programme for e in every}, key=lambda p: p.name),
        "sorts": [
            ("name", _("Name")),
            ("last_contact", _("Longest without contact")),
            ("next_due", _("Next step due")),
        ],
        "today": today,
        "caseload_target": min(targets) if targets else None,
        "discharge_warnings": sum(1 for e in every if e.is_near_end(today)),
        "waitlists": waitlist_summary_for_teams(scope_for(user).team_ids(Role.CASE_MANAGER)),
    }
    return render(request, "practice/caseload.html", context)


@require_http_methods(["GET", "POST"])
@form_token_required
def strengths(request: HttpRequest, pk: int) -> HttpResponse:
    """The current Strengths Assessment, its dated history, and a form for a new version."""
    user = user_of(request)
    client, episode = _client_and_episode(request, pk)
    versions = selectors.assessments_for(user, client)
    latest = list(versions[0].entries.all()) if versions else []
    form = StrengthsForm(request.POST or None, latest=latest)
    if request.method == "POST" and episode is not None and form.is_valid():
        try:
            services.record_strengths_assessment(
                actor=user,
                episode=episode,
                assessed_on=form.cleaned_data["assessed_on"],
                entries=form.entries(),
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Strengths Assessment saved as a new version."))
            return redirect("practice:strengths", pk=client.pk)
    return render(
        request,
        "practice/strengths.html",
        {"client": client, "episode": episode, "versions": versions, "form": form},
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The Personal Recovery Plan: vision, goals in the person's words, and their steps."""
    user = user_of(request)
    client, episode = _client_and_episode(request, pk)
    current = selectors.plan_for(user, episode) if episode is not None else None
    version = current.version if current is not None else 0
    goals, steps = selectors.goals_and_steps_of(current)
    resources = selectors.resources_for(user).filter(is_active=True)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    forms: dict[str, Form] = {
        "vision": VisionForm(
            data if action == "vision" else None,
            initial={"vision": current.vision if current else "", "version": version},
        ),
        "goal": GoalForm(data if action == "goal" else None, initial={"version": version}),
        "step": StepForm(
            data if action == "step" else None,
            goals=goals,
            resources=resources,
            initial={"version": version},
        ),
        "goal_status": GoalStatusForm(data if action == "goal_status" else None, goals=goals),
        "step_status": StepStatusForm(data if action == "step_status" else None, steps=steps),
    }
    form = forms.get(action or "")
    if form is not None and episode is None:
        form.add_error(None, _("This client has no open episode."))
    elif form is not None and episode is not None and form.is_valid():
        try:
            _save_plan_action(user, action or "", form.cleaned_data, episode)
        except services.PlanChangedError:
            _changed_elsewhere(form)
            # Show the plan as it is now; the hidden version moves on so that a second,
            # deliberate save of the kept text goes through.
            current = selectors.plan_for(user, episode)
            version = current.version if current is not None else 0
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("practice:plan", pk=client.pk)
    return render(
        request,
        "practice/plan.html",
        {
            "client": client,
            "episode": episode,
            "plan": current,
            "version": version,
            "forms": forms,
            "show_voided": request.GET.get("voided") == "1",
            "voided": voided_plan_items(current if request.GET.get("voided") == "1" else None),
            "goal_statuses": GoalStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]  # ChoiceField
            "step_statuses": StepStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]  # ChoiceField
        },
    )


def _save_plan_action(user: User, action: str, data: dict[str, Any], episode: Episode) -> None:
    """Run one edit of the plan (raises ``PlanChangedError`` on a concurrent change)."""
    today = timezone.localdate()
    version = data["version"]
    if action == "vision":
        services.save_plan_vision(
            actor=user, episode=episode, expected_version=version, vision=data["vision"]
        )
    elif action == "goal":
        services.add_goal(
            actor=user,
            episode=episode,
            expected_version=version,
            domain=data["domain"],
            own_words=data["own_words"],
        )
    elif action == "step":
        services.add_step(
            actor=user,
            goal=data["goal"],
            expected_version=version,
            action=data["what"],
            responsible=data["responsible"],
            due_on=data["due_on"],
            resource=data["resource"],
        )
    elif action == "goal_status":
        services.set_goal_status(
            actor=user,
            goal=data["goal"],
            expected_version=version,
            status=data["status"],
            on=today,
        )
    elif action == "step_status":
        services.set_step_status(
            actor=user,
            step=data["step"],
            expected_version=version,
            status=data["status"],
            on=today,
        )


@require_http_methods(["GET", "POST"])
@form_token_required
def contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Quick entry of a contact on one screen, with the recent contacts below it."""
    user = user_of(request)
    client, episode = _client_and_episode(request, pk)
    current = selectors.plan_for(user, episode) if episode is not None else None
    goals, steps = selectors.goals_and_steps_of(current)
    form = ContactForm(request.POST or None, goals=goals, steps=steps)
    if request.method == "POST" and episode is not None and form.is_valid():
        try:
            services.record_contact(actor=user, episode=episode, **form.cleaned_data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("practice:contacts", pk=client.pk)
    today = timezone.localdate()
    return render(
        request,
        "practice/contacts.html",
        {
            "client": client,
            "episode": episode,
            "form": form,
            "recent": selectors.recent_contacts_for(user, client),
            "figures": selectors.contact_figures_for_worker(user, today=today),
            "show_voided": request.GET.get("voided") == "1",
            "voided": (
                voided_contacts_for(user, client) if request.GET.get("voided") == "1" else []
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def resources(request: HttpRequest) -> HttpResponse:
    """The directory of natural community resources, and a form to add one."""
    user = user_of(request)
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.agency is None:
            form.add_error(None, _("Your account has no agency."))
        else:
            try:
                services.add_community_resource(actor=user, agency=user.agency, **form.cleaned_data)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Resource added."))
                return redirect("practice:resources")
    return render(
        request,
        "practice/resources.html",
        {"resources": list(selectors.resources_for(user)), "form": form},
    )


@require_http_methods(["GET"])
@role_required(*SUPERVISING)
def supervision(request: HttpRequest) -> HttpResponse:
    """Per team: when each worker last had supervision, and clients never presented."""
    user = user_of(request)
    today = timezone.localdate()
    overviews = []
    for team in selectors.supervised_teams_for(user):
        overview = selectors.supervision_overview_for(user, team)
        achieved = selectors.goals_achieved_by_worker(team)
        overviews.append(
            {
                "overview": overview,
                "figures": selectors.contact_figures_for_team(user, team, today=today),
                "workers": [
                    (worker, last, achieved.get(worker.pk, 0))
                    for worker, last in overview.last_supervision
                ],
            }
        )
    return render(request, "practice/supervision.html", {"overviews": overviews, "today": today})


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISING)
@form_token_required
def session_new(request: HttpRequest) -> HttpResponse:
    """Record a group or individual supervision session."""
    user = user_of(request)
    teams = selectors.supervised_teams_for(user)
    people = selectors.team_members_of(teams)
    form = SessionForm(request.POST or None, teams=teams, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.record_supervision(actor=user, **form.cleaned_data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Supervision session saved."))
            return redirect("practice:session_detail", pk=session.pk)
    return render(request, "practice/session_form.html", {"form": form})
