"""The codebook: a tree of any depth, colours that stay readable, reorder, move, merge, versions."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tandem.qualitative.models import (
    ChangeKind,
    Code,
    Coding,
    Memo,
    ProjectChange,
    contrast_ratio,
    text_colour_on,
)
from tandem.qualitative.selectors import codebook_tree, get_project_for
from tandem.qualitative.services import codebook as services
from tandem.qualitative.services.common import RecordChangedError
from tandem.qualitative.versions import compare_codebooks
from tests.conftest import LoginAs, World
from tests.qualitative.factories import ProjectSet


def add(world: World, qual: ProjectSet, name: str, parent: Code | None = None) -> Code:
    return services.add_code(actor=world.researcher, project=qual.project, parent=parent, name=name)


def test_codes_nest_to_any_depth_in_tree_order(world: World, qual: ProjectSet) -> None:
    category = add(world, qual, "Relationship")
    theme = add(world, qual, "Being heard", category)
    code = add(world, qual, "Reflecting back", theme)
    deeper = add(world, qual, "Using the person's words", code)
    access = get_project_for(world.researcher, qual.project.pk)
    tree = [(n.code.name, n.depth) for n in codebook_tree(access)]
    assert tree[-4:] == [
        ("Relationship", 0),
        ("Being heard", 1),
        ("Reflecting back", 2),
        ("Using the person's words", 3),
    ]
    assert deeper.parent == code


def test_a_code_cannot_be_moved_under_its_own_subcode(world: World, qual: ProjectSet) -> None:
    theme = add(world, qual, "Theme")
    child = add(world, qual, "Child", theme)
    with pytest.raises(ValidationError) as refused:
        services.update_code(
            actor=world.researcher,
            code=theme,
            expected_version=theme.version,
            reason="Reorganise",
            parent=child,
            name="Theme",
        )
    assert set(refused.value.message_dict) == {"parent"}


def test_moving_a_code_keeps_the_move_and_its_reason(world: World, qual: ProjectSet) -> None:
    category = add(world, qual, "Relationship")
    moved = services.update_code(
        actor=world.researcher,
        code=qual.code,
        expected_version=qual.code.version,
        reason="Belongs under relationship",
        parent=category,
        name=qual.code.name,
    )
    assert moved.parent == category
    change = ProjectChange.objects.get(object_type="qualitative.code", object_id=qual.code.pk)
    assert (change.kind, change.reason) == (ChangeKind.MOVE, "Belongs under relationship")


@pytest.mark.parametrize("colour", ["#4477AA", "4477aa", "#44aa", "#ggaa00", "red", ""])
def test_a_colour_must_be_hex(world: World, qual: ProjectSet, colour: str) -> None:
    if colour == "#4477AA":
        assert add(world, qual, "Ok").colour == "#4477aa"
        services.add_code(actor=world.researcher, project=qual.project, name="Upper", colour=colour)
        assert Code.objects.get(name="Upper").colour == "#4477aa"
        return
    with pytest.raises(ValidationError) as refused:
        services.add_code(actor=world.researcher, project=qual.project, name="X", colour=colour)
    assert set(refused.value.message_dict) == {"colour"}


def _wcag_contrast(first: str, second: str) -> float:
    """WCAG 2.x contrast, written out again from the definition (sRGB, 0.03928 threshold)."""

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_over_any_colour_reaches_aa_contrast() -> None:
    rng = random.Random(15)
    colours = ["#000000", "#ffffff", "#777777", "#767676", "#ff0000", "#0000ff", "#ffff00"]
    colours += [f"#{rng.randrange(0x1000000):06x}" for _ in range(500)]
    for colour in colours:
        text = text_colour_on(colour)
        assert _wcag_contrast(colour, text) >= 4.5, colour
        assert contrast_ratio(colour, text) == pytest.approx(_wcag_contrast(colour, text), rel=1e-3)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_reorder_buttons_move_a_code_among_its_siblings(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    third = add(world, qual, "Hope")
    http = login_as(world.researcher)
    url = reverse("qualitative:code_reorder", args=[qual.project.pk, third.pk])
    response = http.post(url, {"direction": "up"})
    assert response.status_code == 302
    order = list(
        qual.project.codes.filter(parent=None).order_by("position").values_list("name", flat=True)
    )
    assert order == ["Being heard", "Hope", "Trust"]
    http.post(url, {"direction": "up"})
    http.post(url, {"direction": "up"})  # already first: nothing moves
    order = list(
        qual.project.codes.filter(parent=None).order_by("position").values_list("name", flat=True)
    )
    assert order == ["Hope", "Being heard", "Trust"]


def test_the_codebook_page_offers_keyboard_reachable_reorder_buttons(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    html = (
        login_as(world.researcher)
        .get(reverse("qualitative:codebook", args=[qual.project.pk]))
        .content.decode()
    )
    assert 'aria-label="Move Being heard down"' in html
    assert 'aria-label="Move Trust up"' in html
    assert 'aria-label="Move Being heard up"' not in html
    viewer = login_as(world.assessor).get(reverse("qualitative:codebook", args=[qual.project.pk]))
    assert "Move Being heard down" not in viewer.content.decode()


def test_merging_moves_codings_subcodes_and_memos(world: World, qual: ProjectSet) -> None:
    source, target = qual.code, qual.other_code
    child = add(world, qual, "Reflecting back", source)
    document = qual.document
    same = {"document": document, "start": 0, "end": 4, "coder": world.trainer}
    Coding.objects.create(code=source, **same)
    Coding.objects.create(code=target, **same)  # the target has this one already
    Coding.objects.create(code=source, document=document, start=5, end=12, coder=world.trainer)
    Coding.objects.create(code=source, document=document, start=5, end=12, coder=world.researcher)
    memo = Memo.objects.create(
        project=qual.project, code=source, title="On hearing", body="…", author=world.trainer
    )
    services.merge_codes(actor=world.researcher, source=source, target=target, reason="Same idea")
    assert not Coding.objects.filter(code=source).exists()
    assert sorted(
        Coding.objects.filter(code=target).values_list("start", "end", "coder_id")
    ) == sorted([(0, 4, world.trainer.pk), (5, 12, world.trainer.pk), (5, 12, world.researcher.pk)])
    source.refresh_from_db()
    child.refresh_from_db()
    memo.refresh_from_db()
    assert (source.is_archived, source.merged_into) == (True, target)
    assert child.parent == target
    assert memo.code == target
    change = ProjectChange.objects.get(kind=ChangeKind.MERGE)
    assert {c["field"]: c["after"] for c in change.changes}["codings_moved"] == 2


def test_a_code_cannot_be_merged_into_its_own_subcode(world: World, qual: ProjectSet) -> None:
    child = add(world, qual, "Child", qual.code)
    with pytest.raises(ValidationError) as refused:
        services.merge_codes(actor=world.researcher, source=qual.code, target=child, reason="x")
    assert set(refused.value.message_dict) == {"target"}


def test_a_stale_code_edit_answers_409(world: World, qual: ProjectSet, login_as: LoginAs) -> None:
    form = {
        "action": "edit",
        "version": str(qual.code.version),
        "name": "Feeling heard",
        "parent": "",
        "colour": "#4477aa",
        "definition": "",
        "inclusion": "",
        "exclusion": "",
        "example": "",
        "reason": "Clearer",
    }
    http = login_as(world.researcher)
    url = reverse("qualitative:code_edit", args=[qual.project.pk, qual.code.pk])
    assert http.post(url, form).status_code == 302
    stale = http.post(url, {**form, "name": "Heard", "reason": "Mine"})
    assert stale.status_code == 409
    assert Code.objects.get(pk=qual.code.pk).name == "Feeling heard"
    with pytest.raises(RecordChangedError):
        services.update_code(
            actor=world.researcher,
            code=qual.code,
            expected_version=qual.code.version,
            reason="Late",
            parent=None,
            name="Late",
        )


def test_comparing_versions_lists_added_removed_renamed_and_moved_codes() -> None:
    before = [
        {"id": 1, "name": "Relationship", "parent_id": None, "position": 0},
        {"id": 2, "name": "Heard", "parent_id": None, "position": 1},
        {"id": 3, "name": "Trust", "parent_id": 1, "position": 0},
        {"id": 4, "name": "Hope", "parent_id": None, "position": 2},
    ]
    after = [
        {"id": 1, "name": "Relationship", "parent_id": None, "position": 0},
        {"id": 2, "name": "Being heard", "parent_id": 1, "position": 1},
        {"id": 3, "name": "Trust", "parent_id": 1, "position": 0},
        {"id": 5, "name": "Autonomy", "parent_id": 1, "position": 2},
    ]
    result = compare_codebooks(before, after)
    assert result.added == ["Relationship / Autonomy"]
    assert result.removed == ["Hope"]
    assert [(r.before, r.after) for r in result.renamed] == [("Heard", "Being heard")]
    assert [(m.name, m.parent_before, m.parent_after) for m in result.moved] == [
        ("Being heard", None, "Relationship")
    ]
    assert compare_codebooks(before, before).is_unchanged


def test_a_saved_version_is_compared_with_the_codebook_now(
    world: World, qual: ProjectSet, login_as: LoginAs
) -> None:
    version = services.save_codebook_version(
        actor=world.researcher, project=qual.project, label="Before the meeting"
    )
    add(world, qual, "Autonomy")
    services.update_code(
        actor=world.researcher,
        code=qual.other_code,
        expected_version=qual.other_code.version,
        reason="Name agreed",
        parent=None,
        name="Trusting the worker",
    )
    response = login_as(world.assessor).get(
        reverse("qualitative:codebook_compare", args=[qual.project.pk]),
        {"before": str(version.pk), "after": "now"},
    )
    comparison = response.context["comparison"]
    assert comparison.added == ["Autonomy"]
    assert [(r.before, r.after) for r in comparison.renamed] == [("Trust", "Trusting the worker")]
    assert comparison.removed == comparison.moved == []


def test_the_codebook_page_has_a_bounded_number_of_queries(
    world: World, qual: ProjectSet, login_as: LoginAs, django_assert_max_num_queries: object
) -> None:
    parent = None
    for n in range(15):
        parent = add(world, qual, f"Code {n}", parent if n % 3 else None)
    http = login_as(world.assessor)
    with django_assert_max_num_queries(16):  # type: ignore[operator]  # pytest-django fixture
        response = http.get(reverse("qualitative:codebook", args=[qual.project.pk]))
    assert "Code 14" in response.content.decode()


def test_leads_only_change_the_codebook(world: World, qual: ProjectSet) -> None:
    with pytest.raises(PermissionDenied):
        services.add_code(actor=world.trainer, project=qual.project, name="Mine")
