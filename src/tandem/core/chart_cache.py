"""Server-drawn charts kept in the cache under what they draw, and charts a page draws later.

Drawing a chart with matplotlib costs tens of milliseconds, many times a page's queries.
:func:`cached_chart` keeps each SVG in the cache under a digest of exactly what it draws (its
arguments and the language): the key is the data version itself, so new numbers give a new key
and nothing needs invalidating. Within :func:`deferred_charts`, a chart not in the cache is not
drawn at all: its place holds a pending marker, and the page fetches the chart with a request of
its own, so that the page answers at the speed of its queries.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import ParamSpec

from django.core.cache import cache
from django.utils.translation import get_language

P = ParamSpec("P")
# Raise when the drawing code changes, so that charts drawn by the old code are not served.
CHART_VERSION = 2
CHART_CACHE_SECONDS = 7 * 24 * 3600
# Stands in a panel's ``svg`` for a chart not drawn yet; the number is the chart's order in the
# page (``DeferredCharts``), which the chart's own request draws.
PENDING_PREFIX = "<!--chart-pending:"


class DeferredCharts:
    """Charts a page left undrawn, in the order it asked for them (see ``deferred_charts``)."""

    def __init__(self) -> None:
        self.waiting: list[Callable[[], str]] = []

    def defer(self, draw: Callable[[], str]) -> str:
        self.waiting.append(draw)
        return f"{PENDING_PREFIX}{len(self.waiting) - 1}-->"

    def draw(self, svg: str) -> str:
        """The chart a panel's ``svg`` stands for: the SVG itself, or the pending one drawn."""
        if not svg.startswith(PENDING_PREFIX):
            return svg
        index = int(svg.removeprefix(PENDING_PREFIX).removesuffix("-->"))
        return self.waiting[index]()


_deferred: ContextVar[DeferredCharts | None] = ContextVar("deferred_charts", default=None)


@contextlib.contextmanager
def deferred_charts() -> Iterator[DeferredCharts]:
    """Within this block, a chart not in the cache is not drawn: its panel's ``svg`` is a
    pending marker, and the page fetches the chart with a request of its own, so that the page
    answers at the speed of its queries and each chart arrives when drawn."""
    deferred = DeferredCharts()
    token = _deferred.set(deferred)
    try:
        yield deferred
    finally:
        _deferred.reset(token)


def cached_chart(draw: Callable[P, str]) -> Callable[P, str]:
    """Keep ``draw``'s SVG in the cache under a digest of its arguments and the language.

    The arguments are the numbers and labels drawn, so the key is the data version itself: new
    data give a new key, and nothing needs invalidating. Nothing personal is in the key (a
    digest) and the SVG only draws what the caller already computed for a user allowed to see it.
    """
    name = f"{draw.__module__}.{draw.__qualname__}"

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> str:
        source = repr((CHART_VERSION, name, get_language(), args, sorted(kwargs.items())))
        key = "chart:" + hashlib.sha256(source.encode()).hexdigest()
        svg = cache.get(key)
        if isinstance(svg, str):
            return svg

        def draw_and_keep() -> str:
            svg = draw(*args, **kwargs)
            cache.set(key, svg, CHART_CACHE_SECONDS)
            return svg

        deferred = _deferred.get()
        if deferred is not None:
            return deferred.defer(draw_and_keep)
        return draw_and_keep()

    return drawn
