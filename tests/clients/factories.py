"""Factories for the clients app's records: referrals."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from tandem.clients.models import Referral, ReferralSource, ReferralStatus
from tandem.orgs.models import Programme
from tests.factories import ProgrammeFactory, UserFactory


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    programme = factory.SubFactory(ProgrammeFactory)
    agency = factory.LazyAttribute(lambda r: r.programme.agency)
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    given_name = factory.Sequence(lambda n: f"Referred{n}")
    family_name = factory.Sequence(lambda n: f"Person{n}")
    date_of_birth = date(1985, 3, 2)
    reason = "Needs help finding a family doctor and housing support."
    current_supports = "A sister nearby."
    risks = "None known."
    consent_to_share = True
    source = ReferralSource.PRIMARY_CARE
    status = ReferralStatus.RECEIVED
    created_by = factory.SubFactory(UserFactory)


def referral_in(programme: Programme) -> Referral:
    created_by = UserFactory.create()
    return ReferralFactory.create(programme=programme, created_by=created_by)
