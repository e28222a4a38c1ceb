"""French is complete: every string in the code and templates has a French translation."""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import tandem

PACKAGE = Path(tandem.__file__).parent
PO_FILE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def msgids(po_text: str) -> set[str]:
    """The msgids of a .po file (multi-line ids joined), without the header entry."""
    ids: set[str] = set()
    current: list[str] | None = None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith("msgid "):
            current = [line[len("msgid ") :].strip().strip('"')]
        elif current is not None and line.startswith('"'):
            current.append(line.strip().strip('"'))
        elif current is not None:
            ids.add("".join(current))
            current = None
    return ids - {""}


def test_every_message_has_a_french_translation() -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("msgfmt") or "msgfmt",
            "--check",
            "--statistics",
            "-o",
            "/dev/null",
            str(PO_FILE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_catalogue_is_up_to_date_with_the_source(tmp_path: Path) -> None:
    copy = tmp_path / "tandem"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "stats", "synth"))
    subprocess.run(  # noqa: S603 - our own console script
        [
            str(Path(sys.executable).with_name("tandem")),
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--add-location",
            "file",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "TANDEM_HOME": str(tmp_path), "SECRET_KEY": "k" * 60},
    )
    fresh = msgids((copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text())
    committed = msgids(PO_FILE.read_text())
    assert fresh - committed == set(), "strings missing from the French catalogue"


def test_compiled_catalogue_matches_the_source_catalogue(tmp_path: Path) -> None:
    fresh_mo = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("msgfmt") or "msgfmt", "-o", str(fresh_mo), str(PO_FILE)], check=True
    )
    with fresh_mo.open("rb") as fresh, PO_FILE.with_suffix(".mo").open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]  # stdlib internals
        shipped = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]  # stdlib internals
    assert shipped == expected, "run `make messages` to recompile the French catalogue"
