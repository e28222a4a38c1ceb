"""``tandem audit verify`` from the command line, as an administrator runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

TANDEM = str(Path(sys.executable).with_name("tandem"))


def tandem(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run ``tandem`` in ``tmp_path``; ``settings`` replace the default database and key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TANDEM_"))}
    env.pop("SECRET_KEY", None)
    env.pop("AUDIT_HMAC_KEY", None)
    env.update(
        settings or {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k" * 60}
    )
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


def test_audit_verify_from_another_directory_without_the_key_refuses_in_one_line(
    tmp_path: Path,
) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert tandem(home, "migrate", "-v", "0", DATABASE_URL=database).returncode == 0
    recorded = tandem(
        home,
        "shell",
        "-c",
        "from tandem.audit.services import record_event\n"
        "record_event(actor=None, action='view', object_type='t', object_id='1')",
        DATABASE_URL=database,
    )
    assert recorded.returncode == 0, recorded.stderr
    assert tandem(home, "audit", "verify", DATABASE_URL=database).returncode == 0

    # Run from another directory, the development key is not found and a new one is made.
    for attempt in ("key made now", "key made by the previous run"):
        refused = tandem(elsewhere, "audit", "verify", DATABASE_URL=database)
        assert refused.returncode == 2, (attempt, refused.stderr)
        assert refused.stderr.strip().count("\n") == 0, attempt
        assert "key" in refused.stderr
        assert "broken" not in refused.stderr
