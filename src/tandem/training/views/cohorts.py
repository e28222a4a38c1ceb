"""Training pages: cohorts, sessions with attendance and materials, the rota, and notes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import Role
from tandem.core.access import role_required, user_of
from tandem.core.form_tokens import form_token_required
from tandem.core.forms import show_service_error
from tandem.training import selectors, services
from tandem.training.forms import (
    AttendanceForm,
    CohortCorrectionForm,
    CohortForm,
    FileForm,
    FollowUpCorrectionForm,
    FollowUpForm,
    LinkForm,
    MaterialVoidForm,
    NoteCorrectionForm,
    NoteFields,
    SessionForm,
    SwapForm,
    SwapUndoForm,
    VoidForm,
    principles_text,
)
from tandem.training.models import Material, Principle, SwapStatus
from tandem.training.report import own_change


def _changed_elsewhere(form: Form, version: int) -> None:
    """Say so, keep the input, and let a deliberate second save go against ``version``."""
    form.add_error(
        None,
        _(
            "This record was changed by someone else while you were editing. Your input is kept "
            "below: read the record as it is now, then save again."
        ),
    )
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(version)
    form.data = data


@require_GET
def cohort_list(request: HttpRequest) -> HttpResponse:
    """The cohorts the user trains, takes part in, or administers an agency of."""
    user = user_of(request)
    cohorts = list(selectors.cohorts_visible_to(user).select_related("host_agency"))
    may_create = selectors.agencies_for_cohorts_of(user).exists()
    return render(
        request, "training/cohort_list.html", {"cohorts": cohorts, "may_create": may_create}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.TRAINER, Role.AGENCY_ADMIN)
@form_token_required
def cohort_new(request: HttpRequest) -> HttpResponse:
    """Start a cohort: agencies, trainers, participants, weekly day, dates and principles."""
    user = user_of(request)
    agencies = selectors.agencies_for_cohorts_of(user)
    form = CohortForm(
        request.POST or None,
        agencies=agencies,
        trainers=selectors.eligible_trainers(agencies),
        staff=selectors.eligible_staff(agencies),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                cohort = services.create_cohort(
                    actor=user,
                    name=data["name"],
                    host_agency=data["host_agency"],
                    agencies=list(data["agencies"]),
                    trainers=list(data["trainers"]),
                    participants=list(data["participants"]),
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    weekday=data["weekday"],
                    presenters_per_session=data["presenters_per_session"],
                    principles=data["principles"],
                )
            except ValidationError as error:
                show_service_error(form, error)
                status = 400
            else:
                messages.success(request, _("The cohort is created with its sessions and rota."))
                return redirect("training:cohort_detail", pk=cohort.pk)
        else:
            status = 400
    return render(request, "training/cohort_new.html", {"form": form}, status=status)


@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort page: attendance by session, the rota and, for trainers, engagement."""
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    overview = selectors.cohort_overview(cohort)
    place = selectors.participant_of(user, cohort)
    swap_form = None
    if place is not None:
        swap_form = SwapForm(
            partners=cohort.participants.filter(is_active=True)
            .exclude(pk=place.pk)
            .select_related("user")
        )
    return render(
        request,
        "training/cohort_detail.html",
        {
            "overview": overview,
            "cohort": cohort,
            "manages": selectors.manages(user, cohort),
            "trains": selectors.trains(user, cohort),
            "place": place,
            "swap_form": swap_form,
            "today": timezone.localdate(),
            "undoable": [
                s for s in selectors.accepted_swaps(cohort) if services.may_undo_swap(user, s)
            ],
            "history": (
                selectors.history_of("cohort", cohort.pk)
                if selectors.manages(user, cohort)
                else None
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a cohort (with a reason) or void it; a stale form is refused (409)."""
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    if not selectors.manages(user, cohort):
        raise PermissionDenied
    agencies = cohort.agencies.all()
    action = request.POST.get("action") if request.method == "POST" else None
    initial = {
        "name": cohort.name,
        "ends_on": cohort.ends_on,
        "presenters_per_session": cohort.presenters_per_session,
        "trainers": list(cohort.trainers.all()),
        "participants": [
            p.user for p in cohort.participants.filter(is_active=True).select_related("user")
        ],
        "principles": principles_text([p.name for p in cohort.principles.all()]),
        "version": cohort.version,
    }
    edit = CohortCorrectionForm(
        request.POST if action == "edit" else None,
        initial=initial,
        trainers=selectors.eligible_trainers(agencies),
        staff=selectors.eligible_staff(agencies),
    )
    void = VoidForm(
        request.POST if action == "void" else None,
        auto_id="void-%s",
        initial={"version": cohort.version},
    )
    status = 200
    if action in ("edit", "void"):
        form: Form = edit if action == "edit" else void
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "edit":
                    services.correct_cohort(
                        actor=user,
                        cohort=cohort,
                        expected_version=data["version"],
                        reason=data["reason"],
                        name=data["name"],
                        ends_on=data["ends_on"],
                        presenters_per_session=data["presenters_per_session"],
                        trainers=list(data["trainers"]),
                        participants=list(data["participants"]),
                        principles=data["principles"],
                    )
                else:
                    services.void_cohort(
                        actor=user,
                        cohort=cohort,
                        expected_version=data["version"],
                        reason=data["reason"],
                    )
            except services.CohortChangedError:
                cohort.refresh_from_db()
                _changed_elsewhere(form, cohort.version)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                if action == "void":
                    messages.success(request, _("The cohort is voided."))
                    return redirect("training:cohort_list")
                messages.success(request, _("The cohort is corrected."))
                return redirect("training:cohort_detail", pk=cohort.pk)
    return render(
        request,
        "training/cohort_edit.html",
        {"cohort": cohort, "edit_form": edit, "void_form": void},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: topic and principles, materials, attendance in one form, presenters and
    their notes. Trainers change it; participants read it."""
    user = user_of(request)
    session = selectors.get_session_for(user, pk)
    cohort = session.cohort
    runs = selectors.manages(user, cohort)
    participants = list(cohort.participants.filter(is_active=True).select_related("user"))
    current = {a.participant_id: a.status for a in session.attendance.all()}
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not runs:
        raise PermissionDenied
    bound = request.POST if request.method == "POST" else None
    forms: dict[str, Form] = {
        "session": SessionForm(
            bound if action == "session" else None,
            principles=cohort.principles.all(),
            initial={
                "topic": session.topic,
                "principles": list(session.principles.all()),
                "version": session.version,
            },
        ),
        "attendance": AttendanceForm(
            bound if action == "attendance" else None,
            participants=participants,
            current=current,
            auto_id="att-%s",
        ),
        "link": LinkForm(bound if action == "link" else None, auto_id="link-%s"),
        "file": FileForm(
            bound if action == "file" else None,
            request.FILES if action == "file" else None,
            auto_id="file-%s",
        ),
        "void_material": MaterialVoidForm(
            bound if action == "void_material" else None, auto_id="vm-%s"
        ),
    }
    status = 200
    if action in forms:
        form = forms[action]
        status = 400
        if form.is_valid():
            try:
                saved = _session_action(user, session, action, form)
            except services.CohortChangedError:
                session.refresh_from_db()
                _changed_elsewhere(form, session.version)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, saved)
                return redirect("training:session_detail", pk=session.pk)
    materials = list(session.materials.filter(voided_at__isnull=True).defer("content"))
    presentations = list(
        session.presentations.select_related("participant__user", "note").order_by(
            "participant__rota_position"
        )
    )
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "cohort": cohort,
            "runs": runs,
            "forms": forms,
            "materials": materials,
            "presentations": presentations,
            "attendance_taken": bool(current),
            "history": selectors.history_of("trainingsession", session.pk) if runs else None,
            "attendance_history": selectors.history_of("attendance", session.pk) if runs else None,
        },
        status=status,
    )


def _session_action(user: Any, session: Any, action: str, form: Form) -> str:
    data = form.cleaned_data
    if action == "session":
        services.correct_session(
            actor=user,
            session=session,
            expected_version=data["version"],
            topic=data["topic"],
            principles=list(data["principles"]),
            reason=data["reason"],
        )
        return _("The session is saved.")
    if action == "attendance":
        assert isinstance(form, AttendanceForm)  # noqa: S101  # the attendance action's form
        services.record_attendance(
            actor=user,
            session=session,
            statuses=form.statuses(),
            reason=form.cleaned_data.get("reason", ""),
        )
        return _("Attendance is saved; the rota is planned again.")
    if action == "link":
        services.add_link(actor=user, session=session, title=data["title"], url=data["url"])
        return _("The link is added.")
    if action == "file":
        services.add_material_file(
            actor=user, session=session, title=data["title"], upload=data["upload"]
        )
        return _("The file is added.")
    material = Material.objects.filter(pk=data["material"], session=session).first()
    if material is None:
        raise ValidationError(_("This material is not part of the session."))
    services.void_material(actor=user, material=material, reason=data["reason"])
    return _("The material is removed.")


@require_GET
def material_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's file, for the people of its cohort (audited)."""
    user = user_of(request)
    material = selectors.get_material_for(user, pk)
    if not material.filename:
        return redirect(material.url)
    response = HttpResponse(bytes(material.content), content_type=material.content_type)
    safe_name = material.filename.replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@form_token_required
def swap_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant asks another to swap their next turns."""
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    place = selectors.participant_of(user, cohort)
    if place is None:
        raise PermissionDenied
    form = SwapForm(
        request.POST,
        partners=cohort.participants.filter(is_active=True).exclude(pk=place.pk),
    )
    if form.is_valid():
        try:
            services.request_swap(actor=user, requester=place, partner=form.cleaned_data["partner"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your request is sent; the swap happens once accepted."))
    else:
        messages.error(request, _("Choose the participant to swap with."))
    return redirect("training:cohort_detail", pk=cohort.pk)


@require_POST
@form_token_required
def interview_project(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the cohort's end-of-programme interview project (made at the first click)."""
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    if not selectors.trains(user, cohort):
        raise PermissionDenied
    opened = services.open_interview_project(actor=user, cohort=cohort)
    if not opened.is_member:
        messages.error(
            request,
            _(
                "The cohort's interview project is held in an agency where you do not work, or "
                "you are no longer one of its members: ask its lead to add you."
            ),
        )
        return redirect("training:cohort_detail", pk=cohort.pk)
    if opened.created:
        messages.success(
            request,
            _("The interview project is opened: you lead it, with one case per participant."),
        )
    elif opened.cases_added:
        messages.success(
            request,
            ngettext(
                "One participant without a case is added to the interview project.",
                "%(count)d participants without a case are added to the interview project.",
                opened.cases_added,
            )
            % {"count": opened.cases_added},
        )
    return redirect("qualitative:project_detail", pk=opened.project.pk)


@require_POST
@form_token_required
def swap_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The partner accepts or declines a swap; the requester may withdraw it."""
    user = user_of(request)
    swap = selectors.get_swap_for(user, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        services.answer_swap(actor=user, swap=swap, accept=accept)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        done: dict[str, str] = {
            SwapStatus.ACCEPTED: _("The swap is agreed: the rota is planned again."),
            SwapStatus.DECLINED: _("The swap is declined."),
        }
        messages.success(request, done.get(swap.status, _("The request is withdrawn.")))
    return redirect("training:my_training")


@require_http_methods(["GET", "POST"])
@form_token_required
def presentation_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The consultation note of a presentation: written, read, corrected or voided."""
    user = user_of(request)
    presentation = selectors.get_presentation_for(user, pk)
    cohort = presentation.session.cohort
    note = getattr(presentation, "note", None)
    may_write = presentation.participant.user_id == user.pk or selectors.manages(user, cohort)
    if request.method == "POST" and not may_write:
        raise PermissionDenied
    principles = cohort.principles.all()
    action = request.POST.get("action") if request.method == "POST" else None
    status = 200
    if note is None:
        form: Form = NoteFields(request.POST or None, principles=principles)
        void = None
    else:
        form = NoteCorrectionForm(
            request.POST if action == "edit" else None,
            principles=principles,
            initial={
                "presenting_question": note.presenting_question,
                "case_summary": note.case_summary,
                "principles": list(note.principles.all()),
                "suggestions": note.suggestions,
                "version": note.version,
            },
        )
        void = VoidForm(
            request.POST if action == "void" else None,
            auto_id="void-%s",
            initial={"version": note.version},
        )
    if request.method == "POST":
        target = void if action == "void" and void is not None else form
        status = 400
        if target.is_valid():
            data = target.cleaned_data
            try:
                if note is None:
                    services.write_note(
                        actor=user,
                        presentation=presentation,
                        presenting_question=data["presenting_question"],
                        case_summary=data["case_summary"],
                        principles=list(data["principles"]),
                        suggestions=data["suggestions"],
                    )
                elif action == "void":
                    services.void_note(
                        actor=user,
                        note=note,
                        expected_version=data["version"],
                        reason=data["reason"],
                    )
                else:
                    services.correct_note(
                        actor=user,
                        note=note,
                        expected_version=data["version"],
                        reason=data["reason"],
                        presenting_question=data["presenting_question"],
                        case_summary=data["case_summary"],
                        principles=list(data["principles"]),
                        suggestions=data["suggestions"],
                    )
            except services.CohortChangedError:
                assert note is not None  # noqa: S101  # only corrections claim a version
                note.refresh_from_db()
                _changed_elsewhere(target, note.version)
                status = 409
            except ValidationError as error:
                show_service_error(target, error)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("training:note", pk=presentation.pk)
    return render(
        request,
        "training/note.html",
        {
            "presentation": presentation,
            "cohort": cohort,
            "note": note,
            "form": form if may_write and (note is None or not note.is_voided) else None,
            "void_form": void if may_write and note is not None and not note.is_voided else None,
            "follow_ups": list(note.follow_ups.filter(voided_at__isnull=True)) if note else [],
            "is_presenter": presentation.participant.user_id == user.pk,
            "history": (
                selectors.history_of("consultationnote", note.pk)
                if note is not None
                and (note.written_by_id == user.pk or selectors.manages(user, cohort))
                else None
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """The presenter's follow-up at a later session: what they tried, what happened."""
    user = user_of(request)
    note = selectors.get_note_for(user, pk)
    presentation = note.presentation
    if presentation.participant.user_id != user.pk or note.is_voided:
        raise PermissionDenied
    sessions = selectors.sessions_of(presentation.session.cohort).filter(
        held_on__gt=presentation.session.held_on
    )
    form = FollowUpForm(request.POST or None, sessions=sessions)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_follow_up(
                    actor=user,
                    note=note,
                    session=data["session"],
                    what_i_tried=data["what_i_tried"],
                    what_happened=data["what_happened"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("Your follow-up is saved."))
                return redirect("training:note", pk=presentation.pk)
    return render(
        request,
        "training/follow_up.html",
        {"note": note, "presentation": presentation, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@form_token_required
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Its writer corrects a follow-up (with a reason) or voids it; a stale form is refused."""
    user = user_of(request)
    follow_up = selectors.get_follow_up_for(user, pk)
    note = follow_up.note
    presentation = note.presentation
    action = request.POST.get("action") if request.method == "POST" else None
    sessions = selectors.sessions_of(presentation.session.cohort).filter(
        held_on__gt=presentation.session.held_on
    )
    edit = FollowUpCorrectionForm(
        request.POST if action == "edit" else None,
        sessions=sessions,
        initial={
            "session": follow_up.session,
            "what_i_tried": follow_up.what_i_tried,
            "what_happened": follow_up.what_happened,
            "version": follow_up.version,
        },
    )
    void = VoidForm(
        request.POST if action == "void" else None,
        auto_id="void-%s",
        initial={"version": follow_up.version},
    )
    status = 200
    if action in ("edit", "void"):
        form: Form = edit if action == "edit" else void
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "edit":
                    services.correct_follow_up(
                        actor=user,
                        follow_up=follow_up,
                        expected_version=data["version"],
                        reason=data["reason"],
                        session=data["session"],
                        what_i_tried=data["what_i_tried"],
                        what_happened=data["what_happened"],
                    )
                else:
                    services.void_follow_up(
                        actor=user,
                        follow_up=follow_up,
                        expected_version=data["version"],
                        reason=data["reason"],
                    )
            except services.CohortChangedError:
                follow_up.refresh_from_db()
                _changed_elsewhere(form, follow_up.version)
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The follow-up is voided.")
                    if action == "void"
                    else _("The follow-up is corrected."),
                )
                return redirect("training:note", pk=presentation.pk)
    return render(
        request,
        "training/follow_up_edit.html",
        {
            "follow_up": follow_up,
            "note": note,
            "presentation": presentation,
            "edit_form": edit,
            "void_form": void,
            "history": selectors.history_of("followup", follow_up.pk),
        },
        status=status,
    )


@require_GET
def note_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's consultation notes, by principle."""
    user = user_of(request)
    cohort = selectors.get_cohort_for(user, pk)
    principles = list(cohort.principles.all())
    chosen: Principle | None = None
    wanted = request.GET.get("principle", "")
    if wanted.isdigit():
        chosen = next((p for p in principles if p.pk == int(wanted)), None)
    notes = list(selectors.notes_of_cohort(cohort, chosen))
    return render(
        request,
        "training/note_search.html",
        {"cohort": cohort, "principles": principles, "chosen": chosen, "notes": notes},
    )


@require_GET
def my_training(request: HttpRequest) -> HttpResponse:
    """A participant's own page: sessions attended, presentations given and to come, the
    self-efficacy waves to answer and their own change in self-efficacy (nobody else's)."""
    user = user_of(request)
    places = selectors.own_training_for(user)
    due = selectors.efficacy_waves_open_for(user)
    rows = [
        (
            place,
            [d for d in due if d.wave.cohort_id == place.participant.cohort_id],
            own_change(place.participant),
        )
        for place in places
    ]
    return render(request, "training/my_training.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@form_token_required
def swap_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo an accepted swap with a reason (a trainer, or either participant before the
    session): the two places go back, and the rota is planned again."""
    user = user_of(request)
    swap = selectors.get_swap_for(user, pk)
    if not services.may_undo_swap(user, swap):
        raise PermissionDenied
    form = SwapUndoForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.undo_swap(actor=user, swap=swap, reason=form.cleaned_data["reason"])
            except services.CohortChangedError:
                form.add_error(None, _("This swap was changed by someone else in the meantime."))
                status = 409
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("The swap is undone: the rota is planned again."))
                return redirect("training:cohort_detail", pk=swap.cohort_id)
    return render(
        request,
        "training/swap_undo.html",
        {
            "swap": swap,
            "cohort": swap.cohort,
            "form": form,
            "history": selectors.history_of("swap", swap.pk),
        },
        status=status,
    )
