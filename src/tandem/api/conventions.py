"""The API's conventions, shared by every endpoint: problem details, cursors, filter
allowlists, ETag/If-Match, Idempotency-Key and the per-token rate limit.

Errors are RFC 9457 problem details (``application/problem+json``) whose ``errors`` name the
field. Anything outside the token's reach answers 404 exactly as a missing object does: the
selectors raise ``Http404`` for both.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.api.models import ApiToken, IdempotentRequest

PROBLEM_CONTENT_TYPE = "application/problem+json"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Query parameters every list takes besides its own filters.
# How long a stored idempotent answer is replayed (and kept).
IDEMPOTENCY_KEEP_HOURS = 24
PAGING_PARAMETERS = frozenset({"cursor", "limit", "ordering"})
_CURSOR_SALT = "tandem.api.cursor"

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


@dataclass
class ProblemError(Exception):
    """An RFC 9457 problem: raised anywhere in an endpoint, answered by the API's handler."""

    status: int
    title: str
    detail: str = ""
    code: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "type": f"urn:tandem:problem:{self.code}" if self.code else "about:blank",
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            found["detail"] = self.detail
        if self.errors:
            found["errors"] = self.errors
        return found


def problem_response(problem: ProblemError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem.body()), status=problem.status, content_type=PROBLEM_CONTENT_TYPE
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def not_found() -> ProblemError:
    """The one answer for a missing object and for one out of the token's reach."""
    return ProblemError(status=404, title=_("Not found."), code="not_found")


def field_problem(status: int, field_name: str, message: str, code: str) -> ProblemError:
    """A problem about one named field (a query parameter, a header, a body field)."""
    return ProblemError(
        status=status,
        title=_("The request is not valid."),
        detail=message,
        code=code,
        errors=[{"field": field_name, "message": message, "code": code}],
    )


# ---- filters and ordering from allowlists --------------------------------------------------------
def check_query(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Refuse (400) any query parameter that is neither a paging one nor in ``allowed``."""
    known = PAGING_PARAMETERS | set(allowed)
    for name in request.GET:
        if name not in known:
            raise field_problem(
                400,
                name,
                _("Unknown query parameter %(name)s; this list accepts %(known)s.")
                % {"name": name, "known": ", ".join(sorted(known))},
                "unknown_parameter",
            )


def ordering_of(value: str | None, allowed: Sequence[str], default: str) -> str:
    """One ordering from the endpoint's allowlist (``field`` or ``-field``); 400 otherwise."""
    chosen = value or default
    if chosen.lstrip("-") not in allowed:
        raise field_problem(
            400,
            "ordering",
            _("Ordering by %(value)s is not offered; choose one of %(allowed)s.")
            % {"value": chosen, "allowed": ", ".join(allowed)},
            "unknown_ordering",
        )
    return chosen


# ---- cursor pagination (keyset) ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _invalid_cursor() -> ProblemError:
    return field_problem(
        400, "cursor", _("This cursor is not one this list gave out."), "invalid_cursor"
    )


def paginate(
    queryset: QuerySet[M], *, ordering: str, cursor: str | None, limit: int | None
) -> Page[M]:
    """A page of ``queryset`` ordered by ``ordering`` then pk, after the signed ``cursor``.

    The cursor holds the last row's sort value and pk (keyset pagination): rows added or
    removed meanwhile shift nothing, and no page is read twice.
    """
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise field_problem(
            400,
            "limit",
            _("Ask for 1 to %(max)s rows a page.") % {"max": MAX_LIMIT},
            "out_of_range",
        )
    name = ordering.lstrip("-")
    descending = ordering.startswith("-")
    model_field = queryset.model._meta.get_field(name)
    rows = queryset.order_by(ordering, "-pk" if descending else "pk")
    if cursor:
        try:
            state = signing.loads(cursor, salt=f"{_CURSOR_SALT}:{ordering}")
            value = model_field.to_python(state["v"])  # type: ignore[union-attr]  # a concrete field
            last_pk = int(state["pk"])
        except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
            raise _invalid_cursor() from exc
        after = "lt" if descending else "gt"
        rows = rows.filter(
            Q(**{f"{name}__{after}": value}) | Q(**{name: value, f"pk__{after}": last_pk})
        )
    found = list(rows[: size + 1])
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        last = found[-1]
        raw = getattr(last, model_field.attname)  # type: ignore[union-attr]  # a concrete field
        next_cursor = signing.dumps(
            {"v": raw if isinstance(raw, int | str) else str(raw), "pk": last.pk},
            salt=f"{_CURSOR_SALT}:{ordering}",
            compress=True,
        )
    return Page(items=found, next_cursor=next_cursor)


# ---- ETag / If-Match -----------------------------------------------------------------------------
def etag_of(obj: models.Model, version: int) -> str:
    """A strong ETag from the row's version field (the one the pages' 409 uses)."""
    return f'"{obj._meta.label_lower}-{obj.pk}-v{version}"'


def expected_version(request: HttpRequest, current_etag: str, version: int) -> int:
    """The version an ``If-Match`` write is made against: 428 without one, 412 if stale."""
    given = request.headers.get("If-Match")
    if not given:
        raise field_problem(
            428,
            "If-Match",
            _("Send If-Match with the ETag you read, so that no change is overwritten."),
            "if_match_required",
        )
    if given.strip() != current_etag:
        raise ProblemError(
            status=412,
            title=_("The resource was changed meanwhile."),
            detail=_("Read it again and send its new ETag in If-Match."),
            code="stale",
        )
    return version


# ---- Idempotency-Key -----------------------------------------------------------------------------
class _NotStoredError(Exception):
    def __init__(self, response: HttpResponse) -> None:
        super().__init__()
        self.response = response


def _replay(record: IdempotentRequest, digest: str) -> HttpResponse:
    if record.request_digest != digest:
        raise field_problem(
            422,
            "Idempotency-Key",
            _("This key was already used for a different request."),
            "key_reused",
        )
    response = HttpResponse(record.body, status=record.status_code, content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(
    request: HttpRequest, token: ApiToken, run: Callable[[], HttpResponse]
) -> HttpResponse:
    """Run a POST once per ``Idempotency-Key``: a retry gets the stored answer, not a new row.

    The key is claimed by inserting its row in the same transaction as the write; a concurrent
    duplicate waits on the unique index, fails, and replays the first answer. A refused
    request (4xx) stores nothing and releases the key. Answers are kept
    ``IDEMPOTENCY_KEEP_HOURS``; a key sent again after that is a new request.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return run()
    if len(key) > 200:
        raise field_problem(
            400, "Idempotency-Key", _("Use a key of at most 200 characters."), "too_long"
        )
    digest = hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + request.body  # type: ignore[union-attr]  # always set on a request
    ).hexdigest()
    # A stored answer repeats what the write returned (a response's answers, say): it is kept
    # only as long as a client would still retry, then removed on the token's next claim.
    IdempotentRequest.objects.filter(
        token=token, created_at__lt=timezone.now() - timedelta(hours=IDEMPOTENCY_KEEP_HOURS)
    ).delete()
    existing = IdempotentRequest.objects.filter(token=token, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                token=token, key=key, request_digest=digest, status_code=0, body=""
            )
            try:
                response = run()
            except ProblemError as problem:
                raise _NotStoredError(problem_response(problem)) from problem
            if response.status_code >= 400:
                raise _NotStoredError(response)
            record.status_code = response.status_code
            record.body = response.content.decode()
            record.save(update_fields=["status_code", "body"])
    except _NotStoredError as refused:
        return refused.response
    except IntegrityError:
        return _replay(IdempotentRequest.objects.get(token=token, key=key), digest)
    return response


# ---- rate limit ----------------------------------------------------------------------------------
def check_rate(token: ApiToken) -> None:
    """Count one request against the token's window; 429 with ``Retry-After`` past the limit."""
    limit: int = settings.API_RATE_LIMIT_PER_MINUTE
    window_seconds = 60
    now = time.time()
    window = int(now // window_seconds)
    key = f"tandem.api.rate:{token.prefix}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    count = cache.incr(key)
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
        raise ProblemError(
            status=429,
            title=_("Too many requests."),
            detail=_("This token may make %(limit)s requests a minute.") % {"limit": limit},
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
        )
