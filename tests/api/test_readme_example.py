"""The README's worked example: its Python script and its curl calls, run against the live test
server with a case manager's token, list the overdue measure and its invitation log."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from tandem.measures.models import (
    AdministrationStatus,
    Invitation,
    InvitationChannel,
    InvitationKind,
    InvitationStatus,
    SelfReportLink,
)
from tandem.measures.services import hash_token
from tests.api.helpers import token_text
from tests.conftest import World
from tests.measures.factories import due_rprs

pytestmark = pytest.mark.django_db(transaction=True)

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _block(language: str, marker: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, f"one {language} block in the README holds {marker}"
    return str(found[0])


def _overdue_with_an_invitation(world: World) -> tuple[int, int]:
    today = timezone.localdate()
    administration = due_rprs(
        world.own_client.episodes.get(),
        status=AdministrationStatus.OVERDUE,
        due_date=today - timedelta(days=20),
        window_opens=today - timedelta(days=34),
        window_closes=today - timedelta(days=6),
    )
    due_rprs(world.team_client.episodes.get(), status=AdministrationStatus.OVERDUE)
    now = timezone.now()
    link = SelfReportLink.objects.create(
        administration=administration,
        token_hash=hash_token("readme"),
        created_by=world.case_manager,
        expires_at=now + timedelta(days=14),
    )
    Invitation.objects.create(
        link=link,
        kind=InvitationKind.LINK,
        channel=InvitationChannel.EMAIL,
        status=InvitationStatus.SENT,
        send_after=now - timedelta(days=5),
        sent_at=now - timedelta(days=5),
    )
    return administration.pk, world.own_client.pk


def test_the_python_example_lists_overdue_measures_and_an_invitation_log(
    world: World, live_server: LiveServer, tmp_path: Path
) -> None:
    administration_id, client_id = _overdue_with_an_invitation(world)
    script = tmp_path / "overdue.py"
    script.write_text(_block("python", "TANDEM_TOKEN"), encoding="utf-8")
    run = subprocess.run(  # noqa: S603  # the README's own script
        [sys.executable, str(script)],
        env={"TANDEM_URL": live_server.url, "TANDEM_TOKEN": token_text(world.case_manager)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = run.stdout.splitlines()
    # Only the case manager's own client: the teammate's overdue measure is not theirs.
    assert lines[0].split()[:4] == [str(administration_id), "client", str(client_id), "rprs"]
    assert [line.split()[1:] for line in lines[1:]] == [["sent", "email"]]


def test_the_curl_example_answers_the_same(world: World, live_server: LiveServer) -> None:
    administration_id, _client_id = _overdue_with_an_invitation(world)
    token = token_text(world.case_manager)
    commands = [
        line.replace("http://127.0.0.1:8000", live_server.url)
        .replace("$TOKEN", token)
        .replace("/administrations/42/", f"/administrations/{administration_id}/")
        for line in _block("sh", "curl").splitlines()
        if line.startswith("curl ")
    ]
    assert len(commands) == 2
    curl = shutil.which("curl")
    assert curl is not None, "curl is installed (scripts/ensure-system-packages)"
    answers = [
        json.loads(
            subprocess.run(  # noqa: S603  # the README's own calls, token and host replaced
                [curl, *shlex.split(command)[1:]], capture_output=True, check=True, timeout=60
            ).stdout
        )
        for command in commands
    ]
    assert [row["id"] for row in answers[0]["items"]] == [administration_id]
    assert [event["kind"] for event in answers[1]] == ["sent"]
