"""Start-up from the environment: clear one-line errors, and a production profile that passes
Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TANDEM = str(Path(sys.executable).with_name("tandem"))


def run_tandem(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TANDEM_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("SECRET_KEY", None)
    clean.pop("RESEARCH_ID_KEY", None)
    clean.update(env)
    return subprocess.run(  # noqa: S603 - our own console script
        [TANDEM, *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_malformed_database_url_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_tandem(tmp_path, "check", DATABASE_URL="nosuchdb://what")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr


def test_production_without_secret_key_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_tandem(tmp_path, "check", TANDEM_ENV="production", ALLOWED_HOSTS="tandem.example")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_research_id_key_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_tandem(
        tmp_path,
        "check",
        TANDEM_ENV="production",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="tandem.example",
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "RESEARCH_ID_KEY" in result.stderr


def test_a_short_research_id_key_is_refused(tmp_path: Path) -> None:
    result = run_tandem(tmp_path, "check", RESEARCH_ID_KEY="short")
    assert result.returncode == 2
    assert "RESEARCH_ID_KEY" in result.stderr


def test_research_id_key_is_derived_from_the_secret_key_outside_production(
    tmp_path: Path,
) -> None:
    show = "from django.conf import settings; print(settings.RESEARCH_ID_KEY.hex())"
    first = run_tandem(tmp_path, "shell", "-c", show, SECRET_KEY="a" * 60)
    again = run_tandem(tmp_path, "shell", "-c", show, SECRET_KEY="a" * 60)
    other = run_tandem(tmp_path, "shell", "-c", show, SECRET_KEY="b" * 60)
    assert first.returncode == 0, first.stderr
    assert first.stdout == again.stdout
    assert first.stdout != other.stdout
    assert "a" * 60 not in first.stdout


def test_a_malformed_trusted_proxy_count_stops_start_up_with_one_line(tmp_path: Path) -> None:
    result = run_tandem(tmp_path, "check", TRUSTED_PROXY_COUNT="two")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    result = run_tandem(tmp_path, "check", TANDEM_ENV="staging")
    assert result.returncode == 2
    assert "TANDEM_ENV" in result.stderr


def test_production_profile_passes_the_deployment_checks(tmp_path: Path) -> None:
    result = run_tandem(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        TANDEM_ENV="production",
        SECRET_KEY="x" * 30 + "-production-secret-with-enough-entropy-9f8e7d6c5b4a",
        RESEARCH_ID_KEY="r" * 40,
        ALLOWED_HOSTS="tandem.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_keeps_one_generated_secret_key(tmp_path: Path) -> None:
    first = run_tandem(
        tmp_path, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"
    )
    second = run_tandem(
        tmp_path, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("flag", ["DEBUG=true"])
def test_production_refuses_debug(tmp_path: Path, flag: str) -> None:
    name, value = flag.split("=")
    result = run_tandem(
        tmp_path,
        "check",
        TANDEM_ENV="production",
        SECRET_KEY="k" * 60,
        RESEARCH_ID_KEY="r" * 40,
        ALLOWED_HOSTS="tandem.example",
        **{name: value},
    )
    assert result.returncode == 2
    assert "DEBUG" in result.stderr
