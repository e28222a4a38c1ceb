"""Alert pages: my alerts, one alert with its history, the supervision agenda, thresholds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role
from tandem.alerts import selectors, services
from tandem.alerts.forms import AgendaDecisionForm, AgendaForm, AlertPolicyForm, AlertStepForm
from tandem.alerts.links import alert_about_url
from tandem.alerts.models import Alert, AlertRule, AlertStatus
from tandem.alerts.reasons import describe, next_move
from tandem.alerts.rules.scores import alliance_norm, outcome_norm
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.orgs.selectors import (
    SUPERVISING_ROLES,
    get_programme_for_manager,
    get_team_for,
    teams_supervised_by,
)

CLINICAL = (Role.CASE_MANAGER, *SUPERVISING_ROLES)


def _changed_elsewhere(form: Form) -> None:
    form.add_error(
        None,
        _(
            "This alert was changed by someone else while you were reading it. Your note is "
            "kept below: read the alert as it is now, then try again."
        ),
    )


@role_required(*CLINICAL)
@require_http_methods(["GET"])
def alert_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    status = request.GET.get("status", "")
    if status not in ("", "all", *AlertStatus.values):
        status = ""
    rule = request.GET.get("rule", "")
    if rule not in AlertRule.values:
        rule = ""
    filters = selectors.AlertFilters(
        status=status, escalated=request.GET.get("escalated") == "1", rule=rule
    )
    alerts = selectors.alert_list_for(user, filters)
    rows = [(alert, describe(alert), alert_about_url(alert, user)) for alert in alerts]
    return render(
        request,
        "alerts/alert_list.html",
        {
            "rows": rows,
            "filters": filters,
            "statuses": AlertStatus.choices,
            "rules": AlertRule.choices,
            "agenda_teams": teams_supervised_by(user),
        },
    )


def _detail_page(
    request: HttpRequest,
    alert: Alert,
    *,
    step_form: AlertStepForm | None = None,
    agenda_form: AgendaForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = user_of(request)
    return render(
        request,
        "alerts/alert_detail.html",
        {
            "alert": alert,
            "reason": describe(alert),
            "next_move": next_move(alert),
            "about_url": alert_about_url(alert, user),
            "steps": selectors.steps_of(alert),
            "agenda_items": selectors.agenda_items_of(alert),
            "can_act": services.can_act_on(user, alert) and not alert.is_resolved,
            "can_put_on_agenda": services.can_put_on_agenda(user, alert) and not alert.is_resolved,
            "step_form": step_form or AlertStepForm(initial={"version": alert.version}),
            "agenda_form": agenda_form or AgendaForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*CLINICAL)
@form_token_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    alert = selectors.get_alert_for(user, pk)
    if request.method != "POST":
        return _detail_page(request, alert)
    if request.POST.get("form") == "agenda":
        return _put_on_agenda(request, alert)
    form = AlertStepForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, alert, step_form=form, status=400)
    try:
        services.move_alert(
            actor=user,
            alert=alert,
            status=form.status(),
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except services.AlertChangedError:
        alert.refresh_from_db()
        _changed_elsewhere(form)
        return _detail_page(request, alert, step_form=form, status=409)
    except ValidationError as error:
        show_service_error(form, error)
        return _detail_page(request, alert, step_form=form, status=400)
    messages.success(request, _("The alert moved to: %s.") % AlertStatus(form.status()).label)
    return redirect("alerts:alert_detail", pk=alert.pk)


def _put_on_agenda(request: HttpRequest, alert: Alert) -> HttpResponse:
    form = AgendaForm(request.POST)
    if form.is_valid():
        try:
            services.put_on_agenda(
                actor=user_of(request), alert=alert, kind=form.cleaned_data["kind"]
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("The alert is on the supervision agenda."))
            return redirect("alerts:alert_detail", pk=alert.pk)
    return _detail_page(request, alert, agenda_form=form, status=400)


def _item_ids(item: str) -> str:
    # One decision form per agenda item on the page: ids differ, field names do not.
    return f"id_item{item if item.isdigit() else 'x'}_%s"


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISING_ROLES)
@form_token_required
def agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's supervision agenda: each item beside the client's recovery plan."""
    user = user_of(request)
    team = get_team_for(user, pk)
    sessions = selectors.sessions_of(team)
    failed: AgendaDecisionForm | None = None
    status = 200
    if request.method == "POST":
        form = AgendaDecisionForm(
            request.POST, sessions=sessions, auto_id=_item_ids(request.POST.get("item", ""))
        )
        if form.is_valid():
            item = selectors.get_agenda_item_for(user, team, form.cleaned_data["item"])
            try:
                services.record_agenda_decision(
                    actor=user,
                    item=item,
                    decision=form.cleaned_data["decision"],
                    outcome=form.cleaned_data["outcome"],
                    session=form.cleaned_data["session"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.AlertChangedError:
                _changed_elsewhere(form)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("alerts:agenda", pk=team.pk)
        else:
            status = 400
        failed = form
    entries = selectors.agenda_for(user, team)
    failed_item = failed.data.get("item") if failed is not None else None
    sections = []
    for kind, label in (("group", _("Group supervision")), ("individual", _("Individual"))):
        rows: list[dict[str, Any]] = []
        for entry in entries.get(kind, []):
            is_failed = failed is not None and str(entry.item.pk) == failed_item
            rows.append(
                {
                    "entry": entry,
                    "reason": describe(entry.item.alert),
                    "form": failed
                    if is_failed
                    else AgendaDecisionForm(
                        initial={"item": entry.item.pk, "version": entry.item.alert.version},
                        sessions=sessions,
                        auto_id=_item_ids(str(entry.item.pk)),
                    ),
                }
            )
        sections.append((kind, label, rows))
    return render(
        request, "alerts/agenda.html", {"team": team, "sections": sections}, status=status
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.PROGRAMME_MANAGER)
@form_token_required
def thresholds(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's alert thresholds, edited by its programme manager."""
    user = user_of(request)
    programme = get_programme_for_manager(user, pk)
    policy = selectors.alert_policy_for(programme.pk)
    form = AlertPolicyForm(request.POST or None, instance=policy)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_alert_policy(
                    actor=user, programme=programme, values=form.cleaned_data
                )
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The thresholds are saved."))
                return redirect("alerts:thresholds", pk=programme.pk)
        else:
            status = 400
    # A bound form has written the posted values into ``policy``: show the stored ones.
    stored = selectors.alert_policy_for(programme.pk) if form.is_bound else policy
    return render(
        request,
        "alerts/alert_thresholds.html",
        {
            "programme": programme,
            "form": form,
            "norms": [
                (AlertRule.ALLIANCE_DROP.label, alliance_norm(stored)),
                (AlertRule.OUTCOME_DETERIORATED.label, outcome_norm(stored)),
            ],
        },
        status=status,
    )
