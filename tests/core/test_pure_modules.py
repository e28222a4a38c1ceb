"""Shared modules of the foundation that any layer, including the Django-free commands, imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_MODULES = ("tandem.core.spreadsheet", "tandem.core.figures", "tandem.core.svg")


@pytest.mark.parametrize("module", PURE_MODULES)
def test_the_module_imports_no_django_and_no_other_app(module: str) -> None:
    allowed = ("tandem.core", *PURE_MODULES)
    code = (
        f"import sys, {module};"
        "sys.exit(any(m == 'django' or m.startswith('django.') or "
        "(m.startswith('tandem.') and m not in " + repr(allowed) + ")"
        " for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603  # fixed argv
    assert done.returncode == 0
