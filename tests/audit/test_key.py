"""Verifying needs the key the chain was written with: without it, refuse, never a false break."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.audit.models import Action, AuditChainHead
from tandem.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_events() -> None:
    for i in range(3):
        record_event(actor=None, action=Action.VIEW, object_type="t", object_id=str(i))


def test_verify_with_another_key_refuses_instead_of_reporting_a_break(
    three_events: None, settings: Any
) -> None:
    settings.AUDIT_HMAC_KEY = "a-key-the-chain-was-never-written-with-0123456789"
    with pytest.raises(CommandError, match="key") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 2
    assert "broken" not in str(raised.value)


def test_verify_refuses_to_run_with_a_key_generated_by_this_process(
    three_events: None, settings: Any
) -> None:
    settings.AUDIT_HMAC_KEY_IS_NEW = True
    with pytest.raises(CommandError, match="AUDIT_HMAC_KEY") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 2


def test_checkpoint_refuses_to_run_with_another_key(
    three_events: None, settings: Any, tmp_path: object
) -> None:
    settings.AUDIT_CHECKPOINT_LOG = True
    settings.AUDIT_HMAC_KEY = "a-key-the-chain-was-never-written-with-0123456789"
    with pytest.raises(CommandError, match="key") as raised:
        call_command("audit", "checkpoint")
    assert raised.value.returncode == 2


def test_an_event_is_not_appended_under_another_key(three_events: None, settings: Any) -> None:
    settings.AUDIT_HMAC_KEY = "a-key-the-chain-was-never-written-with-0123456789"
    with pytest.raises(RuntimeError, match="key"):
        record_event(actor=None, action=Action.VIEW, object_type="t", object_id="late")


def test_an_altered_key_check_is_a_break_when_verified_with_the_right_key(
    three_events: None,
) -> None:
    AuditChainHead.objects.filter(pk=1).update(key_check="0" * 64)
    with pytest.raises(CommandError, match="head was altered") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1
