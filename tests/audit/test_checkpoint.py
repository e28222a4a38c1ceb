"""``tandem audit checkpoint`` keeps a signed head outside the database; ``verify`` compares."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.audit.models import Action, AuditChainHead, AuditEvent
from tandem.audit.services import record_event

pytestmark = pytest.mark.django_db


def record(count: int) -> list[AuditEvent]:
    return [
        record_event(actor=None, action=Action.VIEW, object_type="t", object_id=str(i))
        for i in range(count)
    ]


@pytest.fixture
def checkpoint_file(tmp_path: Path, settings: Any) -> Path:
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    return path


def lines_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_checkpoint_appends_one_signed_line_per_run(checkpoint_file: Path) -> None:
    events = record(3)
    call_command("audit", "checkpoint")
    record(1)
    call_command("audit", "checkpoint")
    first, second = lines_of(checkpoint_file)
    assert (first["events"], first["position"], first["digest"]) == (3, 3, events[-1].digest)
    assert second["events"] == 4
    assert {"mac", "at"} <= first.keys()


def test_checkpoint_can_go_to_the_log_instead_of_a_file(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.AUDIT_CHECKPOINT_LOG = True
    record(2)
    with caplog.at_level(logging.INFO, logger="tandem.audit.checkpoint"):
        call_command("audit", "checkpoint")
    (logged,) = [r for r in caplog.records if r.name == "tandem.audit.checkpoint"]
    assert json.loads(logged.getMessage())["events"] == 2


def test_checkpoint_with_nowhere_to_write_is_refused() -> None:
    record(1)
    with pytest.raises(CommandError) as raised:
        call_command("audit", "checkpoint")
    assert raised.value.returncode == 2


def test_verify_compares_with_the_newest_checkpoint(
    checkpoint_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(3)
    call_command("audit", "checkpoint")
    record(2)
    call_command("audit", "verify")
    assert "checkpoint" in capsys.readouterr().out


def test_verify_detects_truncation_back_to_an_earlier_head_after_a_checkpoint(
    checkpoint_file: Path,
) -> None:
    record(3)
    earlier_head = AuditChainHead.objects.values().get(pk=1)
    record(2)
    call_command("audit", "checkpoint")
    # The attacker removes the last events and puts back a copy of the head as it was then.
    AuditEvent.objects.filter(pk__gt=earlier_head["last_event_id"]).delete()
    AuditChainHead.objects.filter(pk=1).update(**earlier_head)
    with pytest.raises(CommandError, match="checkpoint") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_verify_detects_an_emptied_chain_after_a_checkpoint(checkpoint_file: Path) -> None:
    empty_head = AuditChainHead.objects.values().get(pk=1)
    record(3)
    call_command("audit", "checkpoint")
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.filter(pk=1).update(**empty_head)
    with pytest.raises(CommandError, match="checkpoint") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_verify_reports_a_forged_checkpoint_line(checkpoint_file: Path) -> None:
    record(3)
    call_command("audit", "checkpoint")
    forged = lines_of(checkpoint_file)[-1] | {"events": 2, "position": 2}
    with checkpoint_file.open("a", encoding="utf-8") as out:
        out.write(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match="checkpoint") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_verify_reads_a_checkpoint_file_named_on_the_command_line(tmp_path: Path) -> None:
    record(2)
    earlier_head = AuditChainHead.objects.values().get(pk=1)
    record(1)
    elsewhere = tmp_path / "copied.jsonl"
    call_command("audit", "checkpoint", "--file", str(elsewhere))
    AuditEvent.objects.filter(pk__gt=earlier_head["last_event_id"]).delete()
    AuditChainHead.objects.filter(pk=1).update(**earlier_head)
    call_command("audit", "verify")  # without the checkpoint, the cut cannot be seen
    with pytest.raises(CommandError, match="checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(elsewhere))


def test_checkpoint_of_a_broken_head_is_refused(checkpoint_file: Path) -> None:
    events = record(3)
    AuditChainHead.objects.filter(pk=1).update(last_digest=events[0].digest)
    with pytest.raises(CommandError) as raised:
        call_command("audit", "checkpoint")
    assert raised.value.returncode == 1
    assert not checkpoint_file.exists()


def test_checkpoint_signs_the_head_it_read_even_if_events_follow(
    checkpoint_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.audit import checkpoints

    events = record(3)
    read_the_head = checkpoints.require_chain_key  # type: ignore[attr-defined]  # the name checkpoints looks up, wrapped below

    def append_right_after_the_head_is_read(head: AuditChainHead | None) -> None:
        read_the_head(head)
        record(1)

    monkeypatch.setattr(checkpoints, "require_chain_key", append_right_after_the_head_is_read)
    call_command("audit", "checkpoint")
    assert lines_of(checkpoint_file)[-1]["digest"] == events[-1].digest
