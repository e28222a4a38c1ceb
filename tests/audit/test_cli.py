"""``tandem audit verify`` from the command line, as an administrator runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

TANDEM = str(Path(sys.executable).with_name("tandem"))


def tandem(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TANDEM_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SECRET_KEY="k" * 60)
    return subprocess.run(  # noqa: S603 - our own console script
        [TANDEM, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )


def test_audit_verify_passes_then_names_the_edited_event(tmp_path: Path) -> None:
    assert tandem(tmp_path, "migrate", "-v", "0").returncode == 0
    loaded = tandem(
        tmp_path,
        "shell",
        "-c",
        (
            "from tandem.audit.services import record_event\n"
            "for i in range(3):\n"
            "    record_event(actor=None, action='view', object_type='t', object_id=str(i))"
        ),
    )
    assert loaded.returncode == 0, loaded.stderr

    intact = tandem(tmp_path, "audit", "verify")
    assert intact.returncode == 0
    assert "3 events verified" in intact.stdout

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        second = db.execute(
            "select id from audit_auditevent order by id limit 1 offset 1"
        ).fetchone()[0]
        db.execute("update audit_auditevent set object_id = 'x' where id = ?", (second,))
    broken = tandem(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert f"event {second}" in broken.stderr
