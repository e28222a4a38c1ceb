"""Signed copies of the chain head kept outside the database.

Someone able to write to the database can cut the chain back to an earlier state and put back a
copy of the head as it was then: the copy carries a genuine signature. A checkpoint taken since,
kept where that person cannot write (a file on another volume, a log shipped elsewhere), still
names the later position and digest, so ``tandem audit verify`` detects the cut.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tandem.audit import chain
from tandem.audit.chain import Checkpoint, CheckpointError
from tandem.audit.models import AuditChainHead, AuditEvent
from tandem.audit.services import head_problem, require_chain_key

logger = logging.getLogger("tandem.audit.checkpoint")


def take_checkpoint() -> Checkpoint:
    """Sign the current head; refuse when the head itself does not hold.

    Only the head is checked (its signature, and the last event it names), not every event:
    a checkpoint cannot hide an edited or removed row, which the next ``verify`` still finds.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    require_chain_key(head)
    problem = head_problem(head)
    if head is None or problem:
        raise CheckpointError(problem)
    # The event the head names, not the newest row: events appended since the head was read
    # belong to the next checkpoint.
    last = AuditEvent.objects.filter(seq=head.event_count).first()
    last_matches = (
        head.last_event_id is None and head.last_digest == chain.GENESIS
        if head.event_count == 0
        else last is not None and (last.pk, last.digest) == (head.last_event_id, head.last_digest)
    )
    if not last_matches:
        raise CheckpointError("events at the end of the chain were removed")
    unsigned = Checkpoint(
        event_count=head.event_count,
        position=head.event_count,
        last_event_id=head.last_event_id,
        last_digest=head.last_digest,
        at=datetime.now(tz=UTC).isoformat(timespec="seconds"),
        mac="",
    )
    return replace(unsigned, mac=unsigned.expected_mac())


def write_checkpoint(checkpoint: Checkpoint, *, path: Path | None, log: bool) -> None:
    """Append the checkpoint as one JSON line to ``path`` (OSError if it cannot) and/or log it."""
    line = checkpoint.to_json()
    if path is not None:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(line + "\n")
            out.flush()
            os.fsync(out.fileno())
    if log:
        logger.info(line)


def latest_checkpoint(path: Path) -> Checkpoint | None:
    """The newest checkpoint in the file, or None when there is none yet (OSError if unreadable)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    newest = next((line for line in reversed(lines) if line.strip()), None)
    return None if newest is None else Checkpoint.from_json(newest)
