"""Synthetic practice records for the demo agency: referrals, Strengths Assessments, plans,
contacts, community resources and supervision. No record describes a real person.

Most rows go through the services a person would use. The contacts, some four hundred, are
written in one batch with one audit event (as the measures demo writes its responses), and
the steps of each plan in one batch with an audit event each: they are the bulk of the demo,
and the services' checks (an open episode of the worker's own caseload, goals of the
episode's plan, no date in the future) hold by construction here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.accounts.models import Language, Membership, Role, User
from tandem.audit.models import Action
from tandem.audit.services import record_event
from tandem.clients import services as client_services
from tandem.clients.models import (
    Client,
    DeclineReason,
    Episode,
    EpisodeStatus,
    ReferralDecision,
    ReferralPriority,
    ReferralSource,
)
from tandem.orgs.models import Agency, Programme
from tandem.practice import services
from tandem.practice.models import (
    AgreedAction,
    AgreedActionStatus,
    CommunityResource,
    Contact,
    ContactMode,
    ContactWith,
    Goal,
    GoalStatus,
    LifeDomain,
    RecoveryPlan,
    ResourceKind,
    Step,
    StepStatus,
    SupervisionKind,
    SupervisionSession,
)
from tandem.practice.supervision import services as supervision_services

RESOURCES = [
    ("Riverbend Public Library", ResourceKind.LIBRARY),
    ("Eastgate Community Choir", ResourceKind.CLUB),
    ("Maple Street Community Garden", ResourceKind.CLUB),
    ("Hillcrest Walking Group", ResourceKind.SPORT),
    ("Northside Food Co-op", ResourceKind.VOLUNTEER),
    ("Cedar Bakery (hiring)", ResourceKind.EMPLOYER),
    ("Riverside Bicycle Repair", ResourceKind.EMPLOYER),
    ("St. Elgin Community Church", ResourceKind.FAITH),
    ("Laurier Adult Learning Centre", ResourceKind.EDUCATION),
    ("Queen Street Chess Club", ResourceKind.CLUB),
]
WANTS = {
    LifeDomain.DAILY_LIVING: ("A place of my own", "Living in a rooming house"),
    LifeDomain.FINANCES: ("Money lasting the whole month", "On income support"),
    LifeDomain.VOCATIONAL: ("Working a few hours a week", "Worked in a kitchen before"),
    LifeDomain.SOCIAL: ("Friends to see on weekends", "Sees a cousin now and then"),
    LifeDomain.HEALTH: ("Sleeping through the night", "Sees a family doctor"),
    LifeDomain.LEISURE: ("Playing music again", "Used to play guitar"),
    LifeDomain.SPIRITUALITY: ("Going back to services", "Grew up going to church"),
}
STEPS = [
    "Call about the application",
    "Visit together to have a look",
    "Write down questions for the appointment",
    "Ask a friend to come along",
    "Fill in the form at the library",
]
NOTES = [
    "Met at the coffee shop; talked about the week.",
    "Went together to the appointment.",
    "Short check-in by phone.",
    "Reminder sent about tomorrow.",
    "Spoke with the landlord, with consent.",
]
RESPONSIBLE = ["Client", "Case manager", "Client and case manager"]
QUESTION = "What could help the next step happen?"
SUGGESTIONS = "Go together the first time; ask about a buddy at the club."
AGREED_ACTION = "Call the club and ask whether a member can meet them there."

# A French-speaking client's record is written in French, as their case manager would write it.
# Same lengths and order as the English lists: the random draws, and so the rest of the demo,
# do not depend on the language.
WANTS_FR = {
    LifeDomain.DAILY_LIVING: ("Un logement à moi", "Vit dans une maison de chambres"),
    LifeDomain.FINANCES: ("De l'argent jusqu'à la fin du mois", "Reçoit l'aide sociale"),
    LifeDomain.VOCATIONAL: (
        "Travailler quelques heures par semaine",
        "A déjà travaillé en cuisine",
    ),
    LifeDomain.SOCIAL: ("Des amis à voir la fin de semaine", "Voit un cousin de temps en temps"),
    LifeDomain.HEALTH: ("Dormir toute la nuit", "Voit un médecin de famille"),
    LifeDomain.LEISURE: ("Rejouer de la musique", "Jouait de la guitare"),
    LifeDomain.SPIRITUALITY: ("Retourner aux offices", "Allait à l'église étant jeune"),
}
STEPS_FR = [
    "Appeler au sujet de la demande",
    "Y aller ensemble pour voir",
    "Noter les questions pour le rendez-vous",
    "Demander à un ami de venir",
    "Remplir le formulaire à la bibliothèque",
]
NOTES_FR = [
    "Rencontre au café ; nous avons parlé de la semaine.",
    "Accompagnement au rendez-vous.",
    "Court suivi par téléphone.",
    "Rappel envoyé pour demain.",
    "Discussion avec le propriétaire, avec consentement.",
]
RESPONSIBLE_FR = ["La personne", "L'intervenant ou l'intervenante", "Les deux ensemble"]
QUESTION_FR = "Qu'est-ce qui aiderait la prochaine étape à se faire ?"
SUGGESTIONS_FR = "Y aller ensemble la première fois ; demander un jumelage au club."
AGREED_ACTION_FR = "Appeler le club et demander si un membre peut l'y accueillir."


@dataclass(frozen=True)
class _Wording:
    wants: dict[LifeDomain, tuple[str, str]]
    steps: list[str]
    notes: list[str]
    responsible: list[str]
    question: str
    suggestions: str
    agreed_action: str
    quotes: tuple[str, str]

    def quoted(self, said: str) -> str:
        return f"{self.quotes[0]}{said}.{self.quotes[1]}"


_ENGLISH = _Wording(
    WANTS, STEPS, NOTES, RESPONSIBLE, QUESTION, SUGGESTIONS, AGREED_ACTION, ('"', '"')
)
_FRENCH = _Wording(
    WANTS_FR,
    STEPS_FR,
    NOTES_FR,
    RESPONSIBLE_FR,
    QUESTION_FR,
    SUGGESTIONS_FR,
    AGREED_ACTION_FR,
    ("« ", " »"),
)


def _wording_for(client: Client) -> _Wording:
    return _FRENCH if client.preferred_language == Language.FR else _ENGLISH


def _members(agency: Agency, role: Role) -> list[Membership]:
    return list(
        Membership.objects.filter(agency=agency, role=role)
        .select_related("user", "team", "programme")
        .order_by("pk")
    )


def _load_referrals(rng: random.Random, programme: Programme, manager: User, today: date) -> None:
    for n in range(12):
        referral = client_services.receive_referral(
            actor=manager,
            programme=programme,
            received_on=today - timedelta(days=rng.randint(1, 90)),
            given_name=f"Referral{n + 1}",
            family_name=programme.model,
            date_of_birth=today - timedelta(days=rng.randint(20 * 365, 65 * 365)),
            reason="Needs help finding housing and a regular doctor.",
            current_supports=rng.choice(["A sister nearby", "Church friends", "A neighbour"]),
            risks="None known.",
            consent_to_share=True,
            source=rng.choice([s.value for s in ReferralSource]),
            source_contact="Intake desk, 555-0100",
            priority=rng.choice([p.value for p in ReferralPriority]),
        )
        answers = {"navigation_need": True, "motivated": True, "has_supports": n % 5 != 0}
        answers |= {"substance_use_primary": n % 6 == 0}
        answers |= {"serious_mental_illness": True, "needs_ongoing_support": True}
        answers |= {"wants_service": True}
        client_services.screen_referral(
            actor=manager, referral=referral, answers=answers, screened_on=referral.received_on
        )
        if n < 3:
            continue  # still to decide
        if n % 6 == 0:
            client_services.decide_referral(
                actor=manager,
                referral=referral,
                decision=ReferralDecision.DECLINE,
                decided_on=referral.received_on,
                decline_reason=DeclineReason.SUBSTANCE_USE_PRIMARY,
            )
        elif n % 7 == 0:
            client_services.decide_referral(
                actor=manager,
                referral=referral,
                decision=ReferralDecision.REDIRECT,
                decided_on=referral.received_on,
                redirected_to="Community addiction services",
            )
        else:
            client_services.decide_referral(
                actor=manager,
                referral=referral,
                decision=ReferralDecision.WAITLIST,
                decided_on=referral.received_on,
            )


class _Contacts:
    """The demo's contacts, kept in the order drawn and written at the end in one batch."""

    def __init__(self) -> None:
        self.rows: list[tuple[Contact, list[Goal]]] = []

    def add(self, contact: Contact, goals: list[Goal] | None = None) -> None:
        self.rows.append((contact, goals or []))

    def write(self, agency: Agency) -> None:
        contacts = [contact for contact, _goals in self.rows]
        links = Contact.goals.through
        with transaction.atomic():
            Contact.objects.bulk_create(contacts)
            links.objects.bulk_create(
                links(contact_id=contact.pk, goal_id=goal.pk)
                for contact, goals in self.rows
                for goal in goals
            )
            record_event(
                actor=None,
                action=Action.CREATE,
                object_type="practice.contact",
                object_id=f"demo:{len(contacts)}",
                agency_id=agency.pk,
            )


def _contact(episode: Episode, **fields: object) -> Contact:
    return Contact(
        client_id=episode.client_id,
        episode=episode,
        worker=episode.primary_case_manager,
        **fields,
    )


def _add_steps(worker: User, episode: Episode, steps: list[Step], version: int) -> int:
    """As ``services.add_step`` once per step, in one batch; returns the plan's new version."""
    with transaction.atomic():
        Step.objects.bulk_create(steps)
        RecoveryPlan.objects.filter(episode=episode, version=version).update(
            version=F("version") + len(steps), updated_by=worker, updated_at=timezone.now()
        )
        for step in steps:
            record_event(
                actor=worker,
                action=Action.CREATE,
                obj=step,
                agency_id=episode.client.agency_id,
            )
    return version + len(steps)


def _load_episode_practice(
    rng: random.Random,
    episode: Episode,
    resources: list[CommunityResource],
    today: date,
    contacts: _Contacts,
) -> None:
    worker = episode.primary_case_manager
    start = episode.start_date
    words = _wording_for(episode.client)
    services.record_strengths_assessment(
        actor=worker,
        episode=episode,
        assessed_on=min(today, start + timedelta(days=14)),
        entries={
            domain: {"wants": wants, "current_status": now, "own_words": words.quoted(wants)}
            for domain, (wants, now) in words.wants.items()
        },
    )
    domains = rng.sample(list(WANTS), 2)
    version = 0
    goals = []
    for domain in domains:
        goals.append(
            services.add_goal(
                actor=worker,
                episode=episode,
                expected_version=version,
                domain=domain,
                own_words=words.wants[domain][0],
            )
        )
        version += 1
    steps = [
        Step(
            goal=goal,
            action=rng.choice(words.steps),
            responsible=rng.choice(words.responsible),
            due_on=today + timedelta(days=rng.randint(-10, 30)),
            resource=rng.choice([None, *resources]),
        )
        for goal in goals
        for _ in range(2)
    ]
    version = _add_steps(worker, episode, steps, version)
    if rng.random() < 0.4:
        services.set_step_status(
            actor=worker,
            step=steps[0],
            expected_version=version,
            status=StepStatus.DONE,
            on=today,
        )
        version += 1
    if rng.random() < 0.2:
        services.set_goal_status(
            actor=worker,
            goal=goals[0],
            expected_version=version,
            status=GoalStatus.ACHIEVED,
            on=today,
        )
    span = max(1, (today - start).days)
    for _ in range(rng.randint(2, 6)):
        contact = _contact(
            episode,
            occurred_on=start + timedelta(days=rng.randint(0, span)),
            minutes=rng.choice([15, 30, 45, 60, 90]),
            mode=rng.choices([m.value for m in ContactMode], weights=[5, 2, 2, 1, 1], k=1)[0],
            with_whom=ContactWith.CLIENT if rng.random() < 0.85 else ContactWith.COLLATERAL,
            note=rng.choice(words.notes),
        )
        contacts.add(contact, [rng.choice(goals)])


def _load_supervision(rng: random.Random, agency: Agency, today: date) -> None:
    for membership in _members(agency, Role.SUPERVISOR):
        team = membership.team
        if team is None:
            continue
        workers = [m.user for m in Membership.objects.filter(team=team, role=Role.CASE_MANAGER)]
        episodes = list(
            Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)
            .select_related("client", "primary_case_manager")
            .order_by("pk")
        )
        for weeks_ago in (5, 3, 1):
            session = services.record_supervision(
                actor=membership.user,
                team=team,
                kind=SupervisionKind.GROUP,
                held_on=today - timedelta(weeks=weeks_ago),
                attendees=workers,
            )
            for episode in rng.sample(episodes, min(2, len(episodes))):
                words = _wording_for(episode.client)
                services.present_client(
                    actor=membership.user,
                    session=session,
                    client=episode.client,
                    presenter=episode.primary_case_manager,
                    question=words.question,
                    suggestions=words.suggestions,
                    agreed_action=words.agreed_action,
                    action_due_on=session.held_on + timedelta(weeks=2),
                )
            if weeks_ago == 5:  # the oldest session's actions are done by now
                _close_agreed_actions(membership.user, session, session.held_on + timedelta(10))
        if workers:
            services.record_supervision(
                actor=membership.user,
                team=team,
                kind=SupervisionKind.INDIVIDUAL,
                held_on=today - timedelta(days=rng.randint(1, 20)),
                attendees=[workers[0]],
            )


def _close_agreed_actions(supervisor: User, session: SupervisionSession, on: date) -> None:
    for action in AgreedAction.objects.filter(session=session, status=AgreedActionStatus.OPEN):
        supervision_services.mark_agreed_action_done(
            actor=supervisor, action=action, expected_version=action.version, on=on
        )


def _load_recent_contact(
    rng: random.Random, episode: Episode, today: date, contacts: _Contacts
) -> None:
    """The latest contact of an episode: most within three weeks, a few overdue for one."""
    occurred_on = max(episode.start_date, today - timedelta(days=rng.randint(0, 26)))
    contact = _contact(
        episode,
        occurred_on=occurred_on,
        minutes=rng.choice([30, 45, 60]),
        mode=rng.choices([m.value for m in ContactMode], weights=[5, 2, 2, 1, 1], k=1)[0],
        with_whom=ContactWith.CLIENT,
        note=rng.choice(_wording_for(episode.client).notes),
    )
    contacts.add(contact)


def load_practice_demo(
    *, agency: Agency, today: date, seed: int = 20261123, episodes_with_practice: int = 40
) -> None:
    """Add practice records to the demo agency (called once, from ``site.demo.load_demo``)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    managers = {m.programme_id: m.user for m in _members(agency, Role.PROGRAMME_MANAGER)}
    author = next(iter(managers.values()))
    resources = [
        services.add_community_resource(actor=author, agency=agency, name=name, kind=kind)
        for name, kind in RESOURCES
    ]
    for programme in Programme.objects.filter(agency=agency).order_by("pk"):
        _load_referrals(rng, programme, managers[programme.pk], today)
    open_episodes = (
        Episode.objects.filter(programme__agency=agency, status=EpisodeStatus.OPEN)
        .select_related("client", "programme", "team", "primary_case_manager")
        .order_by("pk")
    )
    episodes = list(open_episodes)
    contacts = _Contacts()
    for episode in episodes[:episodes_with_practice]:
        _load_episode_practice(rng, episode, resources, today, contacts)
    for episode in episodes:
        _load_recent_contact(rng, episode, today, contacts)
    contacts.write(agency)
    _load_supervision(rng, agency, today)
