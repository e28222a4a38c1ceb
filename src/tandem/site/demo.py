"""The synthetic demo agency: two programmes, four teams, a dozen case managers, ~300 clients.

Every name is drawn from generic first- and last-name lists and combined at random; no record
describes a real person. Seeded, so every run builds the same agency. A second, small agency
(four case managers) joins the demo agency's training cohort (``tandem.training.demo``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Language, Role, User
from tandem.accounts.services import grant_role
from tandem.alerts.demo import load_alerts_demo
from tandem.clients import services as client_services
from tandem.clients.models import DischargeReason, Gender
from tandem.fidelity.demo import load_fidelity_demo
from tandem.measures.demo import load_measures_demo
from tandem.measures.demo_wording import load_demo_wording
from tandem.orgs.models import Agency, Programme, ProgrammeModel, Team
from tandem.practice.demo import load_practice_demo
from tandem.qualitative.demo import load_qualitative_demo
from tandem.research.demo import load_research_demo
from tandem.training.demo import load_training_demo

DEMO_SLUG = "riverbend-demo"
DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105 - published demo credential, synthetic data only
DEMO_DOMAIN = "riverbend.example"
# A second, small agency whose case managers join the demo's training cohort.
PARTNER_SLUG = "lakeside-demo"
PARTNER_DOMAIN = "lakeside.example"

GIVEN_NAMES = [
    "Alex",
    "Amira",
    "Andre",
    "Beatrice",
    "Camille",
    "Chloe",
    "Daniel",
    "Dominique",
    "Elena",
    "Emile",
    "Farid",
    "Felix",
    "Gabrielle",
    "Hana",
    "Hugo",
    "Ines",
    "Isaac",
    "Jade",
    "Jasper",
    "Julien",
    "Kai",
    "Karine",
    "Leo",
    "Lina",
    "Louis",
    "Maelle",
    "Malik",
    "Maya",
    "Mathis",
    "Nadia",
    "Noah",
    "Nora",
    "Olivier",
    "Omar",
    "Paloma",
    "Pascal",
    "Quinn",
    "Rafael",
    "Rose",
    "Samuel",
    "Sofia",
    "Theo",
    "Tessa",
    "Victor",
    "Yara",
    "Yves",
    "Zoe",
]
FAMILY_NAMES = [
    "Abbott",
    "Arsenault",
    "Bellerose",
    "Boucher",
    "Carrington",
    "Chen",
    "Cormier",
    "Delacroix",
    "Dubois",
    "Ellison",
    "Fontaine",
    "Gagnon",
    "Girard",
    "Hartley",
    "Huang",
    "Kowalski",
    "Lachance",
    "Lambert",
    "Lavoie",
    "Leclerc",
    "Marchetti",
    "Mercier",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Ouellet",
    "Patel",
    "Pelletier",
    "Quesnel",
    "Ramirez",
    "Rousseau",
    "Sandoval",
    "Singh",
    "Tanaka",
    "Thibault",
    "Tremblay",
    "Underwood",
    "Vasquez",
    "Villeneuve",
    "Whitfield",
    "Yilmaz",
    "Zhang",
]
STREETS = [
    "Maple",
    "Cedar",
    "Birch",
    "Willow",
    "Rideau",
    "Laurier",
    "King",
    "Queen",
    "Bank",
    "Elgin",
]


SMCM_NAME = "Strengths Case Management"
STCM_NAME = "Short-Term Case Management"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD
    programme: str = ""  # empty for the agency-wide roles
    purpose: str = ""  # what the login is for in the demo, when more than its role says


def demo_exists() -> bool:
    return Agency.objects.filter(slug=DEMO_SLUG).exists()


def _user(
    email: str, name: str, agency: Agency, *, staff: bool = False, domain: str = DEMO_DOMAIN
) -> User:
    user = User.objects.create_user(
        email=f"{email}@{domain}",
        password=DEMO_PASSWORD,
        full_name=name,
        agency=agency,
        is_staff=staff,
    )
    return user


def _person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)


@transaction.atomic
def load_demo(*, n_clients: int = 300, seed: int = 20261123) -> list[DemoLogin]:
    """Create the demo agency unless it exists; return the logins to print."""
    if demo_exists():
        return demo_logins()
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    today = timezone.localdate()
    agency = Agency.objects.create(name="Riverbend Community Mental Health (demo)", slug=DEMO_SLUG)
    smcm = Programme.objects.create(
        agency=agency,
        name=SMCM_NAME,
        model=ProgrammeModel.SMCM,
        caseload_target=20,
    )
    stcm = Programme.objects.create(
        agency=agency,
        name=STCM_NAME,
        model=ProgrammeModel.STCM,
        caseload_target=15,
        time_limit_days=84,
    )
    teams = [
        Team.objects.create(programme=smcm, name="Riverside"),
        Team.objects.create(programme=smcm, name="Hillcrest"),
        Team.objects.create(programme=stcm, name="Downtown Short-Term"),
        Team.objects.create(programme=stcm, name="Eastgate Short-Term"),
    ]

    def grant(
        user: User, role: Role, *, programme: Programme | None = None, team: Team | None = None
    ) -> None:
        # Set-up from the command line: no one acting, still recorded as a role change.
        grant_role(
            actor=None,
            user=user,
            role=role,
            agency=agency,
            programme=team.programme if team else programme,
            team=team,
        )

    managers: dict[int, User] = {}
    for programme, slug in ((smcm, "smcm"), (stcm, "stcm")):
        given, family = _person_name(rng)
        manager = _user(f"manager.{slug}", f"{given} {family}", agency)
        grant(manager, Role.PROGRAMME_MANAGER, programme=programme)
        managers[programme.pk] = manager
    workers: dict[int, list[User]] = {}
    for t, team in enumerate(teams, start=1):
        given, family = _person_name(rng)
        supervisor = _user(f"supervisor{t}", f"{given} {family}", agency)
        grant(supervisor, Role.SUPERVISOR, team=team)
        workers[team.pk] = []
        for w in range(1, 4):
            given, family = _person_name(rng)
            worker = _user(f"cm{t}{w}", f"{given} {family}", agency)
            grant(worker, Role.CASE_MANAGER, team=team)
            workers[team.pk].append(worker)
    for role, email in (
        (Role.ASSESSOR, "assessor"),
        (Role.ASSESSOR, "assessor2"),
        (Role.RESEARCHER, "researcher"),
        (Role.RESEARCHER, "analyst"),
        (Role.TRAINER, "trainer"),
        (Role.AGENCY_ADMIN, "admin"),
    ):
        given, family = _person_name(rng)
        user = _user(email, f"{given} {family}", agency, staff=role == Role.AGENCY_ADMIN)
        grant(user, role)

    for i in range(n_clients):
        team = teams[i % len(teams)]
        programme = team.programme
        worker = workers[team.pk][(i // len(teams)) % 3]
        given, family = _person_name(rng)
        born = today - timedelta(days=rng.randint(19 * 365, 70 * 365))
        client = client_services.register_client(
            actor=managers[programme.pk],
            agency=agency,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            gender=rng.choice([g.value for g in Gender]),
            preferred_language=Language.FR if rng.random() < 0.3 else Language.EN,
            phone=f"555-01{rng.randint(0, 99):02d}",
            email=f"client{i + 1}@{DEMO_DOMAIN}",
            address=f"{rng.randint(1, 999)} {rng.choice(STREETS)} Street",
        )
        limit = programme.time_limit_days
        closed = rng.random() < 0.2
        span = limit if limit else 3 * 365
        start = today - timedelta(days=rng.randint(1, span + (limit or 0) if closed else span))
        episode = client_services.open_episode(
            actor=managers[programme.pk],
            client=client,
            programme=programme,
            team=team,
            case_manager=worker,
            start_date=start,
        )
        if closed:
            end = min(today, start + timedelta(days=rng.randint(14, limit or 720)))
            client_services.close_episode(
                actor=managers[programme.pk],
                episode=episode,
                end_date=end,
                reason=rng.choice(
                    [
                        DischargeReason.GOALS_MET,
                        DischargeReason.TIME_LIMIT,
                        DischargeReason.TRANSFERRED,
                        DischargeReason.CLIENT_WITHDREW,
                    ]
                ),
            )
    load_practice_demo(agency=agency, today=today)
    load_measures_demo(agency=agency, today=today)
    load_fidelity_demo(agency=agency, today=today)
    load_alerts_demo(agency=agency, today=today)
    _load_training(agency, rng, today)
    load_qualitative_demo(
        agency=agency,
        lead=User.objects.get(email=f"researcher@{DEMO_DOMAIN}"),
        analyst=User.objects.get(email=f"analyst@{DEMO_DOMAIN}"),
    )
    load_research_demo(
        agency=agency,
        admin=User.objects.get(email=f"admin@{DEMO_DOMAIN}"),
        lead=User.objects.get(email=f"researcher@{DEMO_DOMAIN}"),
        analyst=User.objects.get(email=f"analyst@{DEMO_DOMAIN}"),
        today=today,
    )
    return demo_logins()


def _load_training(agency: Agency, rng: random.Random, today: date) -> None:
    """The partner agency's four case managers, then the cross-agency training cohort."""
    partner = Agency.objects.create(name="Lakeside Family Services (demo)", slug=PARTNER_SLUG)
    others = []
    for w in range(1, 5):
        given, family = _person_name(rng)
        person = _user(f"cm{w}", f"{given} {family}", partner, domain=PARTNER_DOMAIN)
        grant_role(actor=None, user=person, role=Role.CASE_MANAGER, agency=partner)
        others.append(person)
    load_demo_wording(agency=partner)
    # A cohort is started by someone who trains at each of its agencies.
    trainer = User.objects.get(email=f"trainer@{DEMO_DOMAIN}")
    grant_role(actor=None, user=trainer, role=Role.TRAINER, agency=partner)
    local = [User.objects.get(email=f"cm{t}{w}@{DEMO_DOMAIN}") for t in (1, 2, 3) for w in (1, 2)]
    load_training_demo(
        agency=agency,
        partner=partner,
        participants=local + others,
        trainer=trainer,
        today=today,
    )


def demo_logins() -> list[DemoLogin]:
    """A login for every role in both programmes, and both fidelity assessors.

    Teams 1 and 2 are in Strengths Case Management, 3 and 4 in Short-Term Case Management;
    ``cm21`` is a second Strengths case manager on another team, to show scoping. The trainer
    runs the cross-agency training cohort and reads its self-efficacy report; ``cm11``, ``cm21``
    and ``cm31`` take part in it and see their own change. The researcher leads the qualitative
    study (``tandem.qualitative.demo``) and the analyst is its second coder; both are members of
    the quantitative study (``tandem.research.demo``), which the researcher leads.
    """
    d = DEMO_DOMAIN
    return [
        DemoLogin(
            Role.CASE_MANAGER,
            f"cm11@{d}",
            programme=SMCM_NAME,
            purpose="also a training participant: answers the self-efficacy questionnaire",
        ),
        DemoLogin(Role.CASE_MANAGER, f"cm21@{d}", programme=SMCM_NAME),
        DemoLogin(Role.CASE_MANAGER, f"cm31@{d}", programme=STCM_NAME),
        DemoLogin(Role.SUPERVISOR, f"supervisor1@{d}", programme=SMCM_NAME),
        DemoLogin(Role.SUPERVISOR, f"supervisor3@{d}", programme=STCM_NAME),
        DemoLogin(
            Role.PROGRAMME_MANAGER,
            f"manager.smcm@{d}",
            programme=SMCM_NAME,
            purpose="recorded the clients' research consent (client record, Research consent)",
        ),
        DemoLogin(Role.PROGRAMME_MANAGER, f"manager.stcm@{d}", programme=STCM_NAME),
        DemoLogin(Role.ASSESSOR, f"assessor@{d}"),
        DemoLogin(Role.ASSESSOR, f"assessor2@{d}"),
        DemoLogin(
            Role.RESEARCHER,
            f"researcher@{d}",
            purpose=(
                "leads the qualitative study of the alliance interviews, codes, reconciles; "
                "leads the study 'Fidelity, alliance and outcomes' (Research): protocol, analysis"
            ),
        ),
        DemoLogin(
            Role.RESEARCHER,
            f"analyst@{d}",
            purpose=(
                "qualitative analyst: second coder of the alliance interviews; member of the "
                "study 'Fidelity, alliance and outcomes': reads its de-identified aggregates"
            ),
        ),
        DemoLogin(
            Role.TRAINER,
            f"trainer@{d}",
            purpose="runs the cross-agency training cohort: attendance, rota, self-efficacy report",
        ),
        DemoLogin(
            Role.CASE_MANAGER,
            f"cm1@{PARTNER_DOMAIN}",
            purpose="training participant from the partner agency (Lakeside)",
        ),
        DemoLogin(
            Role.AGENCY_ADMIN,
            f"admin@{d}",
            purpose=(
                "also corrects the training cohort and the principles it covers; started the "
                "research study"
            ),
        ),
    ]
