"""Client, referral, waitlist, discharge and team caseload pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.access import scope_for
from tandem.accounts.models import Role, User
from tandem.clients import eligibility, selectors, services
from tandem.clients.forms import (
    AssignForm,
    DischargeForm,
    ReferralDecisionForm,
    ReferralForm,
    TransitionPlanForm,
    screening_form,
)
from tandem.clients.models import DeclineReason, Episode, EpisodeStatus, Referral, ReferralStatus
from tandem.core import listing
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.orgs.selectors import get_team_for, teams_supervised_by

INTAKE = (Role.SUPERVISOR, Role.PROGRAMME_MANAGER)


@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's record: demographics and episodes of care."""
    user = user_of(request)
    client = selectors.get_client_for(user, pk)
    today = timezone.localdate()
    episodes = list(selectors.client_episodes_for(user, client))
    return render(
        request,
        "clients/client_detail.html",
        {
            "client": client,
            "age": client.age_on(today),
            "episodes": [{"episode": e, "days": e.days_in_episode(today)} for e in episodes],
            "identifiers": list(client.identifiers.all()),
            "can_hand_over": scope_for(user).has_role(*INTAKE),
        },
    )


# ---- referrals, waitlist and discharge ----------------------------------------------------------
# Sort keys of the referral list, the first the default.
REFERRAL_SORTS = {
    "received": ("-received_on", "-pk"),
    "oldest": ("received_on", "pk"),
    "name": ("family_name", "given_name", "pk"),
    "priority": ("priority", "received_on", "pk"),
}
REFERRALS_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE)
@form_token_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Every referral, open or decided, with filters and a search; declines counted by reason."""
    user = user_of(request)
    programmes = list(selectors.intake_programmes_for(user))
    state = listing.listing_for(
        request,
        "referrals",
        sorts=list(REFERRAL_SORTS),
        filters={
            "status": listing.choice(ReferralStatus.values),
            "programme": listing.choice(str(p.pk) for p in programmes),
            "from": listing.iso_date,
            "to": listing.iso_date,
        },
    )
    if isinstance(state, HttpResponse):
        return state
    today = timezone.localdate()
    referrals = selectors.referrals_matching(
        user,
        status=state.get("status"),
        programme_id=int(state.get("programme")) if state.get("programme") else None,
        received_from=state.get("from"),
        received_to=state.get("to"),
        search=state.search,
    ).order_by(*REFERRAL_SORTS[state.sort])
    pages = listing.paginate(request, referrals, state, per_page=REFERRALS_PER_PAGE)
    reasons = dict(DeclineReason.choices)
    declines = [
        {**row, "label": reasons.get(row["decline_reason"], row["decline_reason"])}
        for row in selectors.decline_counts_for(user)
    ]
    return render(
        request,
        "clients/referral_list.html",
        {
            "rows": [{"referral": r, "days": r.days_waiting(today)} for r in pages.rows],
            "pages": pages,
            "state": state,
            "programmes": programmes,
            "statuses": ReferralStatus.choices,
            "sorts": [
                ("received", _("Newest first")),
                ("oldest", _("Oldest first")),
                ("name", _("Family name")),
                ("priority", _("Priority")),
            ],
            "declines": declines,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE)
@form_token_required
def referral_new(request: HttpRequest) -> HttpResponse:
    """Enter a referral with what case managers need to know."""
    user = user_of(request)
    programmes = selectors.intake_programmes_for(user)
    form = ReferralForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            referral = services.receive_referral(
                actor=user, programme=data.pop("programme"), **data
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Referral entered. Screen it now."))
            return redirect("clients:referral_detail", pk=referral.pk)
    return render(request, "clients/referral_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(*INTAKE)
@form_token_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral: its facts, the eligibility screen, the decision and the assignment."""
    user = user_of(request)
    referral = selectors.get_referral_for(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    today = timezone.localdate()
    screen = screening_form(referral.programme, request.POST if action == "screen" else None)
    decide = ReferralDecisionForm(request.POST if action == "decide" else None)
    assign = AssignForm(
        request.POST if action == "assign" else None,
        choices=selectors.case_managers_for_assignment(user, referral.programme),
    )
    done = False
    try:
        if action == "screen" and screen.is_valid():
            services.screen_referral(
                actor=user, referral=referral, answers=screen.cleaned_data, screened_on=today
            )
            done = True
        elif action == "decide" and decide.is_valid():
            services.decide_referral(
                actor=user,
                referral=referral,
                decision=decide.cleaned_data["decision"],
                decided_on=today,
                priority=decide.cleaned_data["priority"],
                decline_reason=decide.cleaned_data["decline_reason"],
                redirected_to=decide.cleaned_data["redirected_to"],
                note=decide.cleaned_data["note"],
            )
            done = True
        elif action == "assign" and assign.is_valid():
            team, case_manager = assign.cleaned_data["assignee"]
            episode = services.assign_referral(
                actor=user,
                referral=referral,
                team=team,
                case_manager=case_manager,
                start_date=assign.cleaned_data["start_date"],
            )
            messages.success(request, _("Assigned: the episode of care is open."))
            return redirect("clients:client_detail", pk=episode.client_id)
    except ValidationError as error:
        show_service_error({"screen": screen, "decide": decide}.get(action or "", assign), error)
    if done:
        messages.success(request, _("Saved."))
        return redirect("clients:referral_detail", pk=referral.pk)
    return render(
        request,
        "clients/referral_detail.html",
        {
            "referral": referral,
            "days": referral.days_waiting(today),
            "screening": eligibility.labels_of(referral) if referral.screened_on else [],
            "screen_form": screen,
            "decision_form": decide,
            "assign_form": assign,
            "can_decide": referral.status == ReferralStatus.RECEIVED,
            "can_assign": referral.status == ReferralStatus.WAITLISTED,
        },
    )


@require_http_methods(["GET"])
@role_required(*INTAKE)
def waitlist(request: HttpRequest) -> HttpResponse:
    """Everyone waiting, by priority then date received, with days waiting."""
    user = user_of(request)
    today = timezone.localdate()
    referrals: list[Referral] = list(selectors.waitlist_for(user))
    return render(
        request,
        "clients/waitlist.html",
        {"rows": [{"referral": r, "days": r.days_waiting(today)} for r in referrals]},
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def episode_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Weeks used and left, the transition plan, and discharge."""
    user = user_of(request)
    episode = selectors.get_episode_for(user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    transition = TransitionPlanForm(
        request.POST if action == "transition" else None,
        initial={"transition_plan": episode.transition_plan},
    )
    discharge = DischargeForm(
        request.POST if action == "discharge" else None, start_date=episode.start_date
    )
    try:
        if action == "transition" and transition.is_valid():
            services.save_transition_plan(actor=user, episode=episode, **transition.cleaned_data)
            messages.success(request, _("Transition plan saved."))
            return redirect("clients:episode_discharge", pk=episode.pk)
        if action == "discharge" and discharge.is_valid():
            services.close_episode(actor=user, episode=episode, **discharge.cleaned_data)
            messages.success(request, _("The episode is closed."))
            return redirect("clients:client_detail", pk=episode.client_id)
    except ValidationError as error:
        show_service_error(transition if action == "transition" else discharge, error)
    today = timezone.localdate()
    return render(
        request,
        "clients/episode_discharge.html",
        {
            "episode": episode,
            "weeks_used": episode.weeks_used(today),
            "weeks_remaining": episode.weeks_remaining(today),
            "near_end": episode.is_near_end(today),
            "transition_form": transition,
            "discharge_form": discharge,
        },
    )


# ---- team caseloads -----------------------------------------------------------------------------
@dataclass
class WorkerCaseload:
    worker: User
    target: int
    episodes: list[Episode] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.episodes)

    @property
    def is_over_target(self) -> bool:
        return self.count > self.target


@require_GET
@role_required(*INTAKE)
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams I supervise or manage, with their open caseload."""
    open_filter = Q(episodes__status=EpisodeStatus.OPEN)
    teams = teams_supervised_by(user_of(request)).annotate(
        open_episodes=Count("episodes", filter=open_filter),
        workers=Count("episodes__primary_case_manager", filter=open_filter, distinct=True),
    )
    return render(request, "clients/team_list.html", {"teams": teams})


@require_GET
@role_required(*INTAKE)
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One team: each case manager's open caseload against the programme's target."""
    user = user_of(request)
    team = get_team_for(user, pk)
    target = team.programme.caseload_target
    episodes = list(selectors.team_caseload_for(user, team.pk))
    workers: dict[int, WorkerCaseload] = {}
    for episode in episodes:
        workers.setdefault(
            episode.primary_case_manager_id,
            WorkerCaseload(worker=episode.primary_case_manager, target=target),
        ).episodes.append(episode)
    return render(
        request,
        "clients/team_detail.html",
        {
            "team": team,
            "workers": list(workers.values()),
            "target": target,
            "total": len(episodes),
            "today": timezone.localdate(),
        },
    )
