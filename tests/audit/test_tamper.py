"""Every way of tampering with the stored chain that an attacker without the key can try.

The attacker can edit and delete rows of both audit tables but cannot compute an HMAC: whatever
they write into a digest or a signature is copied from another row or made up.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction

from tandem.audit import chain, services
from tandem.audit.models import Action, AuditChainHead, AuditEvent
from tandem.audit.services import record_event, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain_of_five() -> list[AuditEvent]:
    return [
        record_event(actor=None, action=Action.VIEW, object_type="t", object_id=str(i))
        for i in range(5)
    ]


def _point_head_at_the_last_row() -> None:
    """Rewrite the head's plain fields to describe the rows left, as a key-less attacker can."""
    last = AuditEvent.objects.order_by("pk").last()
    AuditChainHead.objects.filter(pk=1).update(
        last_digest=last.digest if last else chain.GENESIS,
        last_event_id=last.pk if last else None,
        event_count=AuditEvent.objects.count(),
    )


def edit_a_row(events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=events[2].pk).update(object_id="changed")


def edit_an_action(events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=events[2].pk).update(action=Action.EXPORT)


def delete_a_middle_row(events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=events[2].pk).delete()


def delete_the_tail(events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk__in=[e.pk for e in events[3:]]).delete()


def delete_the_tail_and_rewrite_the_head(events: list[AuditEvent]) -> None:
    delete_the_tail(events)
    _point_head_at_the_last_row()


def delete_the_head(events: list[AuditEvent]) -> None:
    AuditChainHead.objects.all().delete()


def delete_every_event(events: list[AuditEvent]) -> None:
    AuditEvent.objects.all().delete()


def delete_every_event_and_reset_the_head(events: list[AuditEvent]) -> None:
    delete_every_event(events)
    _point_head_at_the_last_row()


TAMPERING: dict[str, Callable[[list[AuditEvent]], None]] = {
    "edited row": edit_a_row,
    "edited action": edit_an_action,
    "deleted middle row": delete_a_middle_row,
    "deleted tail": delete_the_tail,
    "tail deleted and head rewritten": delete_the_tail_and_rewrite_the_head,
    "head deleted": delete_the_head,
    "every event deleted": delete_every_event,
    "every event deleted and head reset": delete_every_event_and_reset_the_head,
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_reports_tampering(
    chain_of_five: list[AuditEvent], tamper: Callable[[list[AuditEvent]], None]
) -> None:
    assert verify_chain().is_intact
    tamper(chain_of_five)
    assert not verify_chain().is_intact


def test_a_rolled_back_write_leaves_a_chain_that_verifies(
    chain_of_five: list[AuditEvent],
) -> None:
    def fail_after_auditing() -> None:
        with transaction.atomic():
            record_event(actor=None, action=Action.VIEW, object_type="t", object_id="undone")
            raise RuntimeError("the request failed after auditing")

    with pytest.raises(RuntimeError):
        fail_after_auditing()
    after = record_event(actor=None, action=Action.VIEW, object_type="t", object_id="after")
    result = verify_chain()
    assert result.is_intact
    assert result.checked == 6
    assert after.previous_digest == chain_of_five[-1].digest
    if connection.vendor == "postgresql":
        # The rolled-back insert used up an id: ids have a gap, positions do not.
        assert after.pk > chain_of_five[-1].pk + 1
    assert after.seq == chain_of_five[-1].seq + 1


def test_events_appended_while_verifying_are_not_taken_for_tampering(
    chain_of_five: list[AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    read_the_head = services.require_chain_key

    def append_right_after_the_head_is_read(head: AuditChainHead | None) -> None:
        read_the_head(head)
        record_event(actor=None, action=Action.VIEW, object_type="t", object_id="meanwhile")

    monkeypatch.setattr(services, "require_chain_key", append_right_after_the_head_is_read)
    result = verify_chain()
    assert (result.is_intact, result.checked) == (True, 5)


def test_rows_beyond_a_head_put_back_to_an_earlier_state_are_reported(
    chain_of_five: list[AuditEvent],
) -> None:
    earlier = AuditChainHead.objects.values().get(pk=1)
    record_event(actor=None, action=Action.VIEW, object_type="t", object_id="later")
    AuditChainHead.objects.filter(pk=1).update(**earlier)
    assert not verify_chain().is_intact
