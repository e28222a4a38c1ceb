"""French is complete: every string in the code and templates has a French translation.

The project catalogue (``src/tandem/locale``) covers the foundation apps and the shared templates;
an app with a ``locale/`` folder of its own keeps its strings there (Django loads both).
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tandem

PACKAGE = Path(tandem.__file__).parent
PURE_PACKAGES = ("stats", "synth")


def apps_with_own_catalogue() -> list[str]:
    return sorted(
        p.parent.parent.parent.parent.name
        for p in PACKAGE.glob("*/locale/fr/LC_MESSAGES/django.po")
    )


def catalogues() -> list[tuple[str, Path]]:
    """(name, folder scanned by makemessages) for the project and each app with its own."""
    return [("project", PACKAGE)] + [(app, PACKAGE / app) for app in apps_with_own_catalogue()]


def po_file(root: Path) -> Path:
    return root / "locale" / "fr" / "LC_MESSAGES" / "django.po"


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


def msgfmt() -> str:
    return shutil.which("msgfmt") or "msgfmt"


@pytest.mark.parametrize(("name", "root"), catalogues(), ids=lambda v: str(v))
def test_every_message_has_a_french_translation(name: str, root: Path) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [msgfmt(), "--check", "--statistics", "-o", "/dev/null", str(po_file(root))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


@pytest.mark.parametrize(("name", "root"), catalogues(), ids=lambda v: str(v))
def test_catalogue_is_up_to_date_with_the_source(name: str, root: Path, tmp_path: Path) -> None:
    skip = {*PURE_PACKAGES, *apps_with_own_catalogue()} if name == "project" else set()
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__", *skip))
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
    fresh = msgids(po_file(copy).read_text())
    committed = msgids(po_file(root).read_text())
    assert fresh - committed == set(), f"strings missing from the {name} French catalogue"


@pytest.mark.parametrize(("name", "root"), catalogues(), ids=lambda v: str(v))
def test_compiled_catalogue_matches_the_source_catalogue(
    name: str, root: Path, tmp_path: Path
) -> None:
    fresh_mo = tmp_path / "django.mo"
    subprocess.run([msgfmt(), "-o", str(fresh_mo), str(po_file(root))], check=True)  # noqa: S603
    with fresh_mo.open("rb") as fresh, po_file(root).with_suffix(".mo").open("rb") as committed:
        expected = gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]  # stdlib internals
        shipped = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]  # stdlib internals
    assert shipped == expected, f"run `make messages` to recompile the {name} catalogue"
