"""Search, sort and filters for list pages, the same way on every list.

Filters and the sort order are not personal: they travel in the query string, so a filtered list
can be bookmarked and shared. A search term usually is a person's name, and names must never
reach a URL (they end up in server logs, browser history and Referer headers). So the search box
POSTs its term, the term is kept in the session under the list's name, and the page redirects
to itself (post/redirect/get)::

    state = listing_for(request, "caseload", sorts=SORTS, filters={"programme": integer})
    if isinstance(state, HttpResponse):
        return state  # the search was stored; back to the list
    episodes = search(episodes, state.search, ["client__given_name", "client__family_name"])
    episodes = episodes.order_by(*SORTS[state.sort])

Bad filter values are ignored and reported in ``state.errors`` (by filter name), so the list
still shows and the page can say which filter it did not understand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.utils.translation import gettext as _

SEARCH_FIELD = "search"
CLEAR_FIELD = "clear_search"
SORT_PARAMETER = "sort"
# A search term is a few words; a longer one is cut, not refused.
MAX_SEARCH_LENGTH = 100

FilterParser = Callable[[str], Any]
_M = TypeVar("_M", bound=Model)


def choice(values: Iterable[str]) -> FilterParser:
    """A filter that accepts one of ``values`` (for example a model's status choices)."""
    allowed = frozenset(str(v) for v in values)

    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(value)
        return value

    return parse


def integer(value: str) -> int:
    """A filter holding an id; the caller narrows it to ids the user may see."""
    return int(value)


def iso_date(value: str) -> date:
    """A filter holding a date from a date input (always ISO, whatever the page's language)."""
    return date.fromisoformat(value)


@dataclass(frozen=True)
class ListingState:
    """What one list page shows: the kept search term, the sort key and the parsed filters."""

    name: str
    search: str
    sort: str
    filters: Mapping[str, Any]
    raw_filters: Mapping[str, str]
    errors: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.filters.get(name, default)

    def query(self, **changes: str | None) -> str:
        """The query string of this state with some parameters changed (None removes one)."""
        params = QueryDict(mutable=True)
        current = {**self.raw_filters, SORT_PARAMETER: self.sort}
        for key, value in {**current, **changes}.items():
            if value:
                params[key] = value
        return params.urlencode()

    @property
    def is_filtered(self) -> bool:
        return bool(self.search or self.filters)


def session_key(name: str) -> str:
    return f"listing:{name}:search"


def listing_for(
    request: HttpRequest,
    name: str,
    *,
    sorts: Sequence[str],
    filters: Mapping[str, FilterParser] | None = None,
) -> ListingState | HttpResponse:
    """Read a list page's state, or store a posted search term and redirect back to the list.

    ``sorts`` are the accepted sort keys; the first is the default. ``filters`` maps a query
    parameter to a parser that raises ``ValueError`` (or ``TypeError``) on a bad value.
    """
    if not sorts:
        raise ValueError("sorts: a list needs at least one sort key")
    if request.method == "POST":
        if CLEAR_FIELD in request.POST:
            request.session.pop(session_key(name), None)
        else:
            term = " ".join(request.POST.get(SEARCH_FIELD, "").split())[:MAX_SEARCH_LENGTH]
            if term:
                request.session[session_key(name)] = term
            else:
                request.session.pop(session_key(name), None)
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)
    parsed: dict[str, Any] = {}
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    for parameter, parse in (filters or {}).items():
        value = request.GET.get(parameter, "").strip()
        if not value:
            continue
        try:
            parsed[parameter] = parse(value)
        except (ValueError, TypeError):
            errors[parameter] = _("This filter value was not understood and is ignored.")
        else:
            raw[parameter] = value
    sort = request.GET.get(SORT_PARAMETER, "")
    return ListingState(
        name=name,
        search=str(request.session.get(session_key(name), "")),
        sort=sort if sort in sorts else sorts[0],
        filters=parsed,
        raw_filters=raw,
        errors=errors,
    )


def search(queryset: QuerySet[_M], term: str, fields: Sequence[str]) -> QuerySet[_M]:
    """Rows where every word of ``term`` is found in at least one of ``fields`` (any case)."""
    for word in term.split():
        queryset = queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)))
    return queryset


@dataclass(frozen=True)
class ListPage:
    """One page of a list, with the query strings of its neighbours (filters and sort kept)."""

    rows: list[Any]
    number: int
    count: int
    num_pages: int
    previous_query: str | None
    next_query: str | None


def paginate(
    request: HttpRequest, rows: QuerySet[_M], state: ListingState, *, per_page: int
) -> ListPage:
    """The page of ``rows`` the query string asks for (the last one if it asks too far)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return ListPage(
        rows=list(page.object_list),
        number=page.number,
        count=page.paginator.count,
        num_pages=page.paginator.num_pages,
        previous_query=(
            state.query(page=str(page.previous_page_number())) if page.has_previous() else None
        ),
        next_query=state.query(page=str(page.next_page_number())) if page.has_next() else None,
    )
