"""``tandem qda import`` and ``tandem qda export``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from tandem.audit.models import Action, AuditEvent
from tandem.cli import main
from tandem.qualitative import exchange as refi
from tandem.qualitative.models import Project
from tandem.qualitative.services import exchange as services
from tests.conftest import World
from tests.qualitative.exchange_files import code_tree, codings_of, full_project, hostile_files, xsd
from tests.qualitative.test_exchange_services import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "READ_LIMITS", refi.ReadLimits(max_bytes=1_000_000))


@pytest.fixture
def study(world: World) -> Project:
    return full_project(world.agency, world.researcher, world.trainer)


def qda(*args: str) -> str:
    out = io.StringIO()
    call_command("qda", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_export_by_id_or_slug_then_import_as_json(
    world: World, study: Project, tmp_path: Path
) -> None:
    by_id, by_slug = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    qda("export", str(study.pk), str(by_id))
    qda("export", "alliance-study", str(by_slug))
    assert by_id.read_bytes() == by_slug.read_bytes()
    exports = AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(study.pk))
    assert exports.count() == 2
    assert set(exports.values_list("actor_id", flat=True)) == {None}
    summary = json.loads(
        qda(
            "import",
            str(by_id),
            "--agency",
            world.agency.slug,
            "--name",
            "Copy",
            "--json",
            "--lead",
            world.researcher.email,
        )
    )
    copy = Project.objects.get(pk=summary["project"])
    assert copy.title == "Copy"
    assert copy.members.get().user == world.researcher
    assert {k: summary[k] for k in ("codes", "sources", "codings", "cases", "users")} == {
        "codes": 4,
        "sources": 2,
        "codings": 5,
        "cases": 2,
        "users": 2,
    }
    assert summary["problems"] == []
    assert code_tree(copy) == code_tree(study)
    assert codings_of(copy) == codings_of(study)
    with __import__("zipfile").ZipFile(by_id) as archive:
        assert xsd("Project").validate(etree.fromstring(archive.read("project.qde")))


def test_import_without_a_lead_gives_the_project_to_the_agency_administrator(
    world: World, study: Project, tmp_path: Path
) -> None:
    path = tmp_path / "a.qdpx"
    qda("export", str(study.pk), str(path))
    text = qda("import", str(path), "--agency", world.agency.slug)
    copy = Project.objects.exclude(pk=study.pk).get()
    assert f"imported project {copy.pk}" in text
    assert copy.members.get().user == world.agency_admin
    created = AuditEvent.objects.filter(object_type="qualitative.project", object_id=str(copy.pk))
    assert list(created.values_list("actor_id", flat=True)) == [None]


@pytest.mark.parametrize("case", sorted(hostile_files()))
def test_a_refused_file_exits_1_lists_the_problems_and_changes_nothing(
    world: World, tmp_path: Path, case: str
) -> None:
    data, problem = hostile_files()[case]
    path = tmp_path / "bad.qdpx"
    path.write_bytes(data)
    before = row_counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "qda", "import", str(path), "--agency", world.agency.slug, "--json", stdout=out
        )
    assert caught.value.returncode == 1
    assert "nothing was imported" in str(caught.value)
    summary = json.loads(out.getvalue())
    assert summary["project"] is None
    assert problem in {p["code"] for p in summary["problems"]}
    assert all(p["element"] for p in summary["problems"])
    assert row_counts() == before


def test_the_console_script_exits_1_and_prints_the_problems(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _problem = hostile_files()["xxe"]
    path = tmp_path / "bad.qdpx"
    path.write_bytes(data)
    with pytest.raises(SystemExit) as caught:
        main(["qda", "import", str(path), "--agency", world.agency.slug])
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert "project.qde, line 1" in err
    assert "nothing was imported" in err


def test_bad_arguments_name_the_flag(world: World, study: Project, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--agency"):
        qda("import", str(tmp_path / "x.qdpx"), "--agency", "nowhere")
    with pytest.raises(CommandError, match="PROJECT"):
        qda("export", "no-such-project", str(tmp_path / "x.qdpx"))
    with pytest.raises(CommandError, match="--lead: no active user"):
        qda(
            "import",
            str(tmp_path / "x.qdpx"),
            "--agency",
            world.agency.slug,
            "--lead",
            "nobody@example.org",
        )


def test_a_lead_who_may_not_start_projects_is_refused(world: World, tmp_path: Path) -> None:
    path = tmp_path / "x.qdpx"
    path.write_bytes(hostile_files()["xxe"][0])
    with pytest.raises(CommandError, match="may not start projects"):
        qda("import", str(path), "--agency", world.agency.slug, "--lead", world.case_manager.email)
