"""Report rows, made directly rather than through the request service."""

from __future__ import annotations

from datetime import date

import factory

from tandem.reports.models import Report, ReportKind
from tests.factories import TeamFactory, UserFactory


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    class Meta:
        model = Report

    kind = ReportKind.TEAM_QUARTER
    team = factory.SubFactory(TeamFactory)
    programme = factory.LazyAttribute(lambda r: r.team.programme if r.team else None)
    period_start = date(2026, 7, 1)
    period_end = date(2026, 9, 30)
    requested_by = factory.SubFactory(UserFactory)
