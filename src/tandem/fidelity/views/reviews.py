"""Fidelity review pages: list, new review, detail, an assessor's rating form, reconciliation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tandem.accounts.models import Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.core.access import deny_read, role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.fidelity import selectors, services
from tandem.fidelity.forms import ConsensusForm, FinaliseForm, ItemRatingsForm, ReviewForm
from tandem.fidelity.models import FidelityReview, ReviewStatus

REVIEW_ROLES = (Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.ASSESSOR)


def _audit_read(user: User, review: FidelityReview) -> None:
    record_event(
        actor=user, action=Action.VIEW, obj=review, agency_id=review.team.programme.agency_id
    )


@role_required(*REVIEW_ROLES)
@require_http_methods(["GET"])
def review_list(request: HttpRequest) -> HttpResponse:
    """Reviews the user may see, newest first, with their panel's progress."""
    user = user_of(request)
    reviews = selectors.review_list_for(user)
    record_event(actor=user, action=Action.LIST, object_type=selectors.REVIEW_TYPE)
    return render(
        request,
        "fidelity/review_list.html",
        {
            "reviews": reviews,
            "can_create": bool(selectors.managed_team_ids(user)),
            "user_id": user.pk,
        },
    )


@role_required(Role.PROGRAMME_MANAGER)
@require_http_methods(["GET", "POST"])
@form_token_required
def review_new(request: HttpRequest) -> HttpResponse:
    """A programme manager opens a review of one of their teams."""
    user = user_of(request)
    teams = selectors.teams_for_new_review(user)
    scales = selectors.scales_usable_for_teams(teams)
    agencies = set(teams.values_list("programme__agency_id", flat=True))
    form = ReviewForm(
        request.POST or None,
        teams=teams,
        scales=scales,
        assessors=selectors.assessors_of(agencies),
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.create_review(actor=user, **form.cleaned_data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Review created. The assessors can now rate it."))
            return redirect("fidelity:review_detail", pk=review.pk)
    return render(
        request, "fidelity/review_form.html", {"form": form, "has_scales": scales.exists()}
    )


@role_required(*REVIEW_ROLES)
@require_http_methods(["GET"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Panel status, scores by domain, total, high/low, agreement, and each agreed rating."""
    user = user_of(request)
    review = selectors.get_review_for(user, pk)
    _audit_read(user, review)
    panel = selectors.panel_of(review)
    on_panel = any(member.assessor_id == user.pk for member in panel)
    is_final = review.status == ReviewStatus.FINAL
    scores = review.scores if is_final else {}
    domains = selectors.included_domains(review)
    domain_scores = [(domain, scores.get("domains", {}).get(domain.code)) for domain in domains]
    return render(
        request,
        "fidelity/review_detail.html",
        {
            "review": review,
            "panel": panel,
            "scores": scores,
            "domain_scores": domain_scores,
            "agreement": scores.get("agreement", {}),
            "rows": selectors.consensus_rows(review) if is_final else [],
            "excluded": list(review.excluded_domains.all()),
            "on_panel": on_panel,
            "can_reconcile": review.status == ReviewStatus.RECONCILING
            and (on_panel or selectors.can_manage_review(user, review)),
        },
    )


@role_required(Role.ASSESSOR)
@require_http_methods(["GET", "POST"])
@form_token_required
def review_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """An assessor's own ratings: save part of them and come back, then submit.

    Only the assessor's own ratings are read here; the other assessor's stay hidden until
    both have submitted.
    """
    user = user_of(request)
    review = selectors.get_review_for(user, pk)
    member = next((m for m in selectors.panel_of(review) if m.assessor_id == user.pk), None)
    if member is None:
        deny_read(user, selectors.REVIEW_TYPE, pk)
    _audit_read(user, review)
    own = selectors.own_ratings(user, review)
    items = [
        (domain, item)
        for domain in selectors.included_domains(review)
        for item in domain.items.all()
    ]
    initial = {}
    for item_id, rating in own.items():
        initial[f"rating_{item_id}"] = str(rating.rating)
        initial[f"note_{item_id}"] = rating.note
    is_open = review.status == ReviewStatus.RATING and member.submitted_at is None
    form = ItemRatingsForm(
        request.POST if request.method == "POST" and is_open else None,
        items=items,
        initial=initial,
    )
    if request.method == "POST" and is_open and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.save_ratings(
                actor=user, review=review, ratings=form.decisions(), submit=submit
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            if submit:
                messages.success(request, _("Your ratings are submitted."))
                return redirect("fidelity:review_detail", pk=review.pk)
            messages.success(request, _("Your ratings are saved; you can come back to them."))
            return redirect("fidelity:review_rate", pk=review.pk)
    return render(
        request,
        "fidelity/review_rate.html",
        {
            "review": review,
            "form": form,
            "rows": form.rows(own),
            "is_open": is_open,
            "n_rated": len(own),
            "n_items": len(items),
        },
    )


@role_required(Role.ASSESSOR, Role.PROGRAMME_MANAGER)
@require_http_methods(["GET", "POST"])
@form_token_required
def review_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    """Both assessors' ratings side by side, differences marked; agree and finalise."""
    user = user_of(request)
    review = selectors.get_review_for(user, pk)
    panel = selectors.panel_of(review)
    on_panel = any(member.assessor_id == user.pk for member in panel)
    if not (on_panel or selectors.can_manage_review(user, review)):
        deny_read(user, selectors.REVIEW_TYPE, pk)
    _audit_read(user, review)
    if review.status != ReviewStatus.RECONCILING:
        return render(request, "fidelity/review_reconcile.html", {"review": review, "panel": panel})
    only_differences = request.GET.get("differences") == "1"
    rows = selectors.reconciliation_rows(review)
    shown = [row for row in rows if row.differs] if only_differences else rows
    initial: dict[str, object] = {"version": review.version}
    for row in shown:
        if row.suggested is not None:
            initial[f"rating_{row.item.pk}"] = str(row.suggested)
        if row.consensus is not None:
            initial[f"note_{row.item.pk}"] = row.consensus.note
    action = request.POST.get("action") if request.method == "POST" else None
    items = [(row.domain, row.item) for row in shown]
    form = ConsensusForm(
        request.POST if action == "consensus" else None, items=items, initial=initial
    )
    finalise = FinaliseForm(
        request.POST if action == "finalise" else None, initial={"version": review.version}
    )
    status = 200
    if action == "consensus" and form.is_valid():
        try:
            services.record_consensus(
                actor=user,
                review=review,
                expected_version=form.cleaned_data["version"],
                decisions=form.decisions(),
            )
        except services.ReviewChangedError:
            status = _changed_elsewhere(form, review)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Agreed ratings saved."))
            return redirect(request.get_full_path())
    elif action == "finalise" and finalise.is_valid():
        try:
            services.finalise_review(
                actor=user, review=review, expected_version=finalise.cleaned_data["version"]
            )
        except services.ReviewChangedError:
            status = _changed_elsewhere(finalise, review)
        except ValidationError as error:
            show_service_error(finalise, error)
        else:
            messages.success(request, _("The review is final."))
            return redirect("fidelity:review_detail", pk=review.pk)
    by_item = {row.item.pk: row for row in shown}
    return render(
        request,
        "fidelity/review_reconcile.html",
        {
            "review": review,
            "panel": panel,
            "form": form,
            "finalise": finalise,
            "rows": form.rows(by_item),
            "only_differences": only_differences,
            "n_items": len(rows),
            "n_differences": sum(row.differs for row in rows),
            "n_agreed": sum(row.is_agreed for row in rows),
            # What still stops the review being finalised, listed at the top with links.
            "open_rows": [row for row in rows if not row.is_agreed],
        },
        status=status,
    )


def _changed_elsewhere(form: Form, review: FidelityReview) -> int:
    """Keep what was typed, say the review moved on, and let a deliberate resubmit through."""
    form.add_error(
        None,
        _(
            "This review was changed by someone else while you were editing. Your input is "
            "kept below: check the review as it is now, then save again."
        ),
    )
    review.refresh_from_db(fields=["version", "status"])
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict
    data["version"] = str(review.version)
    form.data = data
    return 409
