"""The list helper: filters from the query string, the search term from the session."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tandem.clients.models import Client
from tandem.core import listing
from tandem.core.listing import ListingState
from tests.factories import ClientFactory

SORTS = ["name", "age"]
FILTERS = {"kind": listing.choice(["a", "b"]), "from": listing.iso_date, "id": listing.integer}


def request(method: str, path: str, data: dict[str, str] | None = None) -> HttpRequest:
    made = getattr(RequestFactory(), method)(path, data or {})
    made.session = SessionStore()
    return made  # type: ignore[no-any-return]  # RequestFactory returns WSGIRequest


def state_of(made: HttpRequest) -> ListingState:
    found = listing.listing_for(made, "things", sorts=SORTS, filters=FILTERS)
    assert isinstance(found, ListingState)
    return found


def test_filters_are_parsed_and_bad_ones_named_not_applied() -> None:
    state = state_of(request("get", "/x/?kind=a&from=2026-02-30&id=7&sort=age"))
    assert state.filters == {"kind": "a", "id": 7}
    assert set(state.errors) == {"from"}
    assert state.sort == "age"


def test_an_unknown_sort_falls_back_to_the_first() -> None:
    assert state_of(request("get", "/x/?sort=secret")).sort == "name"


def test_a_posted_search_goes_to_the_session_and_back_to_the_same_query() -> None:
    posted = request("post", "/x/?kind=b", {"search": "  Marie   Claire "})
    response = listing.listing_for(posted, "things", sorts=SORTS, filters=FILTERS)
    assert isinstance(response, HttpResponse)
    assert response["Location"] == "/x/?kind=b"
    assert posted.session[listing.session_key("things")] == "Marie Claire"
    follow = request("get", "/x/?kind=b")
    follow.session = posted.session
    assert state_of(follow).search == "Marie Claire"


def test_clearing_the_search_forgets_it() -> None:
    posted = request("post", "/x/", {"clear_search": "1"})
    posted.session[listing.session_key("things")] = "kept"
    listing.listing_for(posted, "things", sorts=SORTS)
    assert listing.session_key("things") not in posted.session


def test_query_keeps_filters_and_sort_and_changes_one() -> None:
    state = state_of(request("get", "/x/?kind=a&from=2026-01-02&sort=age"))
    assert state.query(page="2") == "kind=a&from=2026-01-02&sort=age&page=2"
    assert state.query(kind=None) == "from=2026-01-02&sort=age"
    assert state.get("from") == date(2026, 1, 2)


def test_a_list_needs_a_sort_key() -> None:
    with pytest.raises(ValueError, match="sorts"):
        listing.listing_for(request("get", "/x/"), "things", sorts=[])


@pytest.mark.django_db
def test_search_needs_every_word_in_some_field() -> None:
    marie = ClientFactory.create(given_name="Marie", family_name="Tremblay")
    ClientFactory.create(given_name="Marie", family_name="Gagnon")
    ClientFactory.create(given_name="Paul", family_name="Tremblay")
    found = listing.search(Client.objects.all(), "tremblay MARIE", ["given_name", "family_name"])
    assert list(found) == [marie]
    assert listing.search(Client.objects.all(), "", ["given_name"]).count() == 3
