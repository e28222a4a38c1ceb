"""Who coded: a Tandem user, or a coder an imported REFI-QDA file named (``Coding.coder_label``).

Every grouping of codings by coder goes through the pair (``coder_id``, ``coder_label``), so that
the coders of an imported file stay distinct although the importing person is their ``coder``.
A page names a coder by a token, ``12`` for a user's own codings and ``12~Name`` for an imported
coder; the choice ``consensus`` stands for the consensus codings of reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from typing_extensions import override

from tandem.accounts.models import User
from tandem.qualitative.models import Coding

CONSENSUS = "consensus"
# The coders' own codings and the consensus codings together, asked for by name.
WITH_CONSENSUS = "with-consensus"
SEPARATOR = "~"

CoderKey = tuple[int, str]


@dataclass(frozen=True)
class Coder:
    """One coder: the user, and the imported coder's name when the codings came from a file."""

    user: User
    label: str = ""

    @property
    def key(self) -> CoderKey:
        return (int(self.user.pk), self.label)

    @property
    def token(self) -> str:
        return f"{self.user.pk}{SEPARATOR}{self.label}" if self.label else str(self.user.pk)

    @property
    def full_name(self) -> str:
        return self.label or self.user.full_name

    @property
    def identity(self) -> str:
        """How a command-line summary names the coder: the email, or the imported name."""
        return f"{self.label} (imported)" if self.label else self.user.email

    @override
    def __str__(self) -> str:
        return self.full_name


def parse_token(token: str) -> CoderKey | None:
    """The coder key a page's token names, or None when it names none."""
    user, _sep, label = token.partition(SEPARATOR)
    if not user.isdigit():
        return None
    return (int(user), label)


def own_codings(codings: QuerySet[Coding]) -> QuerySet[Coding]:
    """The coders' own codings: neither consensus nor removed."""
    return codings.filter(is_consensus=False, is_voided=False)


def of_coder(codings: QuerySet[Coding], key: CoderKey) -> QuerySet[Coding]:
    """One coder's own codings among ``codings``."""
    return own_codings(codings).filter(coder_id=key[0], coder_label=key[1])


def by_choice(codings: QuerySet[Coding], choice: str | None) -> QuerySet[Coding]:
    """The live codings a coder choice keeps: every coder's own (empty choice: no consensus
    codings, so that reconciling counts nothing twice), the consensus codings only, both when
    asked for (``WITH_CONSENSUS``), or one coder's own; a token naming no coder keeps none."""
    codings = codings.filter(is_voided=False)
    if not choice:
        return own_codings(codings)
    if choice == WITH_CONSENSUS:
        return codings
    if choice == CONSENSUS:
        return codings.filter(is_consensus=True)
    key = parse_token(choice)
    if key is None:
        return codings.none()
    return of_coder(codings, key)


def ranked_coders(codings: QuerySet[Coding]) -> list[tuple[Coder, int]]:
    """Everyone whose own codings are among ``codings``, with their number, most first."""
    rows = (
        own_codings(codings)
        .order_by()
        .values("coder_id", "coder_label")
        .annotate(count=Count("pk"))
    )
    counts = {(row["coder_id"], row["coder_label"]): row["count"] for row in rows}
    users = User.objects.in_bulk({user_id for user_id, _label in counts})
    coders = [(Coder(users[user_id], label), count) for (user_id, label), count in counts.items()]
    return sorted(coders, key=lambda item: (-item[1], item[0].full_name, item[0].key))


def coders_by_name(codings: QuerySet[Coding]) -> list[Coder]:
    """Everyone whose own codings are among ``codings``, by name."""
    return sorted(
        (coder for coder, _count in ranked_coders(codings)),
        key=lambda coder: (coder.full_name.casefold(), coder.key),
    )
