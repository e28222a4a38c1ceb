"""factory_boy factories for Tandem's models. Names are synthetic."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.clients.models import Client, Episode, EpisodeStatus
from tandem.orgs.models import Agency, Programme, ProgrammeModel, Team

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class ProgrammeFactory(factory.django.DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    model = ProgrammeModel.SMCM
    caseload_target = 20


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"worker{n}@agency.example")
    full_name = factory.Sequence(lambda n: f"Worker {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation  # type: ignore[untyped-decorator]  # factory_boy leaves it unannotated
    def save_password(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.CASE_MANAGER
    team = None
    programme = factory.LazyAttribute(lambda m: m.team.programme if m.team else None)
    agency = factory.LazyAttribute(
        lambda m: m.programme.agency if m.programme else AgencyFactory.create()
    )


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = date(1980, 5, 17)


class EpisodeFactory(factory.django.DjangoModelFactory[Episode]):
    class Meta:
        model = Episode

    team = factory.SubFactory(TeamFactory)
    programme = factory.LazyAttribute(lambda e: e.team.programme)
    client = factory.SubFactory(
        ClientFactory, agency=factory.LazyAttribute(lambda c: c.factory_parent.programme.agency)
    )
    primary_case_manager = factory.SubFactory(UserFactory)
    status = EpisodeStatus.OPEN
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
