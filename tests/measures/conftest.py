"""Each measures test starts with empty rate-limit counters (they live in the cache)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
