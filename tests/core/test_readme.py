"""The README's tables name real files: a renamed test or module must be renamed there too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_test_file_the_readme_names_exists() -> None:
    named = set(re.findall(r"tests/[\w/]+\.py", README))
    assert named, "the security table names its tests"
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_every_module_the_readme_names_exists() -> None:
    tests = set(re.findall(r"`(tests/[\w/]+\.py)`", README))
    named = set(re.findall(r"`(\w+/[\w/]+\.py)`", README)) - tests
    assert named
    missing = [
        p for p in named if not (ROOT / "src/tandem" / p).is_file() and not (ROOT / p).is_file()
    ]
    assert sorted(missing) == []
