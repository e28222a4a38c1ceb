"""A project in agency A of the test world: the researcher leads it, the trainer codes, the
assessor reads; the case manager of the world is no member."""

from __future__ import annotations

import pytest

from tandem.qualitative.models import ProjectRole
from tests.conftest import World
from tests.qualitative.factories import ProjectSet, project_with


@pytest.fixture
def qual(world: World) -> ProjectSet:
    return project_with(
        world.agency,
        lead=world.researcher,
        members={world.trainer: ProjectRole.CODER, world.assessor: ProjectRole.VIEWER},
        memo_author=world.trainer,
    )
