"""Scales: the built-in SMCM structure, drafting a programme's own scale, activation, versions."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.fidelity import services
from tandem.fidelity.models import FidelityItem, FidelityScale, ScaleStatus
from tandem.fidelity.scales import ScaleDefinitionError, load_builtin_scale, parse_scale
from tests.conftest import LoginAs, World
from tests.fidelity.factories import items_of, make_scale

SMCM_DOMAINS = [
    "caseload_size",
    "community_contact",
    "individual_supervision",
    "group_supervision",
    "strengths_assessment",
    "recovery_plan",
    "integration",
    "community_resources",
    "hope",
]


def test_the_builtin_smcm_structure_has_31_items_in_the_nine_domains() -> None:
    scale = load_builtin_scale("smcm")
    assert [d.code for d in scale.domains] == SMCM_DOMAINS
    assert scale.n_items == 31
    assert (scale.high_fidelity_threshold, scale.high_fidelity_domain_count) == (32.0, 8)


def test_the_builtin_structure_carries_neutral_labels_only() -> None:
    scale = load_builtin_scale("smcm")
    labels = [item.label for domain in scale.domains for item in domain.items]
    assert all(label.startswith("Item ") for label in labels)


def test_a_scale_file_with_a_domain_without_items_is_refused_naming_it() -> None:
    with pytest.raises(ScaleDefinitionError, match=r"domains\[0\]\.items"):
        parse_scale({"code": "x", "version": "1", "name": "X", "domains": [{"code": "a"}]})


def test_installing_smcm_copies_the_structure_into_the_agency(world: World) -> None:
    scale = services.install_builtin_scale(actor=world.agency_admin, agency=world.agency)
    assert scale.status == ScaleStatus.DRAFT
    assert list(scale.domains.values_list("code", flat=True)) == SMCM_DOMAINS
    assert FidelityItem.objects.filter(domain__scale=scale).count() == 31
    assert (scale.high_fidelity_threshold, scale.high_fidelity_domain_count) == (Decimal(32), 8)


def test_installing_twice_is_refused(world: World) -> None:
    services.install_builtin_scale(actor=world.agency_admin, agency=world.agency)
    with pytest.raises(ValidationError):
        services.install_builtin_scale(actor=world.agency_admin, agency=world.agency)


def test_only_an_agency_administrator_installs_a_builtin_scale(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.install_builtin_scale(actor=world.programme_manager, agency=world.agency)
    with pytest.raises(PermissionDenied):
        services.install_builtin_scale(actor=world.agency_admin, agency=world.other_agency)


def test_a_programme_manager_drafts_a_blank_scale_for_their_programme(world: World) -> None:
    scale = services.create_scale(
        actor=world.programme_manager,
        agency=world.agency,
        programme=world.programme,
        name="STCM fidelity",
    )
    assert (scale.status, scale.programme, scale.domains.count()) == (
        ScaleStatus.DRAFT,
        world.programme,
        0,
    )


def test_a_programme_manager_cannot_draft_for_another_programme_or_the_agency(
    world: World,
) -> None:
    for programme in (world.other_programme_team.programme, None):
        with pytest.raises(PermissionDenied):
            services.create_scale(
                actor=world.programme_manager,
                agency=world.agency,
                programme=programme,
                name="Not mine",
            )


def test_a_draft_can_start_from_the_builtin_structure(world: World) -> None:
    scale = services.create_scale(
        actor=world.programme_manager,
        agency=world.agency,
        programme=world.programme,
        name="Adapted",
        start_from="smcm",
    )
    assert FidelityItem.objects.filter(domain__scale=scale).count() == 31


def test_domains_and_items_are_added_edited_moved_and_removed(world: World) -> None:
    pm = world.programme_manager
    scale = services.create_scale(
        actor=pm, agency=world.agency, programme=world.programme, name="STCM"
    )
    first = services.add_domain(actor=pm, scale=scale, name="Transition planning")
    second = services.add_domain(actor=pm, scale=scale, name="Engagement")
    services.move_domain(actor=pm, domain=second, offset=-1)
    assert list(scale.domains.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    item = services.add_item(actor=pm, domain=first, label="Item 1.1")
    services.add_item(actor=pm, domain=first, label="Item 1.2")
    services.update_item(
        actor=pm, item=item, label="Plan written", anchors={"1": "None", "5": "Full", "3": " "}
    )
    item.refresh_from_db()
    assert item.anchors == {"1": "None", "5": "Full"}
    services.move_item(actor=pm, item=item, offset=1)
    assert [i.label for i in first.items.order_by("position")] == ["Item 1.2", "Plan written"]
    services.remove_item(actor=pm, item=item)
    services.remove_domain(actor=pm, domain=second)
    assert scale.domains.count() == 1
    assert AuditEvent.objects.filter(object_type="fidelity.fidelityitem", action="delete").exists()


def test_activation_needs_a_domain_and_an_item_in_each(world: World) -> None:
    pm = world.programme_manager
    scale = services.create_scale(
        actor=pm, agency=world.agency, programme=world.programme, name="STCM"
    )
    with pytest.raises(ValidationError):
        services.activate_scale(actor=pm, scale=scale)
    domain = services.add_domain(actor=pm, scale=scale, name="Engagement")
    with pytest.raises(ValidationError):
        services.activate_scale(actor=pm, scale=scale)
    services.add_item(actor=pm, domain=domain, label="Item 1.1")
    assert services.activate_scale(actor=pm, scale=scale).status == ScaleStatus.ACTIVE


def test_an_active_scale_is_read_only(world: World) -> None:
    scale = make_scale(world.agency, programme=world.programme)
    with pytest.raises(ValidationError):
        services.add_domain(actor=world.programme_manager, scale=scale, name="Late addition")
    with pytest.raises(ValidationError):
        services.update_item(
            actor=world.agency_admin, item=items_of(scale)[0], label="Changed", anchors={}
        )


def test_a_new_version_copies_the_scale_and_retires_the_old_one_on_activation(
    world: World,
) -> None:
    scale = make_scale(world.agency, programme=world.programme, code="stcm")
    item = items_of(scale)[0]
    item.anchors = {"1": "Agency's own text"}
    item.save()
    draft = services.new_scale_version(actor=world.programme_manager, scale=scale)
    assert (draft.code, draft.version, draft.status) == ("stcm", "2", ScaleStatus.DRAFT)
    assert items_of(draft)[0].anchors == {"1": "Agency's own text"}
    services.activate_scale(actor=world.programme_manager, scale=draft)
    scale.refresh_from_db()
    assert scale.status == ScaleStatus.RETIRED


# ---- the editor pages -------------------------------------------------------------------------
def _revision_on(http: HttpClient, url: str) -> str:
    """The draft revision the editor page's forms carry."""
    found = re.search(r'name="revision" value="(\d+)"', http.get(url).content.decode())
    assert found is not None
    return found.group(1)


def test_a_programme_manager_drafts_a_scale_in_the_editor(world: World, login_as: LoginAs) -> None:
    http = login_as(world.programme_manager)
    response = http.post(
        reverse("fidelity:scale_new"),
        {"name": "STCM fidelity", "programme": world.programme.pk, "start_from": ""},
    )
    scale = FidelityScale.objects.get(name="STCM fidelity")
    assert response.status_code == 302
    url = reverse("fidelity:scale_detail", args=[scale.pk])
    http.post(
        url,
        {
            "action": "add_domain",
            "new-domain-name": "Engagement",
            "revision": _revision_on(http, url),
        },
    )
    domain = scale.domains.get()
    http.post(
        url,
        {
            "action": "add_item",
            "row": domain.pk,
            "label": "Item 1.1",
            "revision": _revision_on(http, url),
        },
    )
    item = domain.items.get()
    item_url = reverse("fidelity:scale_item", args=[item.pk])
    http.post(
        item_url,
        {
            "label": "First contact",
            "anchor_1": "Low",
            "anchor_5": "High",
            "revision": _revision_on(http, item_url),
        },
    )
    http.post(
        url,
        {
            "action": "settings",
            "name": "STCM fidelity",
            "high_fidelity_threshold": "4",
            "high_fidelity_domain_count": "1",
            "revision": _revision_on(http, url),
        },
    )
    http.post(url, {"action": "activate", "revision": _revision_on(http, url)})
    scale.refresh_from_db()
    item.refresh_from_db()
    assert (item.label, item.anchors) == ("First contact", {"1": "Low", "5": "High"})
    assert (scale.high_fidelity_threshold, scale.status) == (Decimal(4), ScaleStatus.ACTIVE)
    assert scale.revision == 5


def test_an_edit_of_a_draft_changed_since_it_was_read_is_refused(world: World) -> None:
    scale = make_scale(world.agency, programme=world.programme, status=ScaleStatus.DRAFT)
    item = items_of(scale)[0]
    seen = scale.revision
    services.add_domain(
        actor=world.programme_manager, scale=scale, name="Outreach", expected_revision=seen
    )
    assert scale.revision == seen + 1
    with pytest.raises(services.ScaleChangedError):
        services.update_item(
            actor=world.programme_manager,
            item=item,
            label="Overwritten",
            anchors={},
            expected_revision=seen,
        )
    item.refresh_from_db()
    assert item.label != "Overwritten"


def test_a_second_editor_gets_409_with_the_typed_item_kept_then_saves_deliberately(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency, programme=world.programme, status=ScaleStatus.DRAFT)
    domain = scale.domains.order_by("position").first()
    assert domain is not None
    url = reverse("fidelity:scale_detail", args=[scale.pk])
    first, second = login_as(world.programme_manager), login_as(world.agency_admin)
    stale = _revision_on(second, url)
    renamed = first.post(
        url,
        {
            "action": "rename_domain",
            "row": domain.pk,
            "name": "Renamed by the first editor",
            "revision": _revision_on(first, url),
        },
    )
    assert renamed.status_code == 302

    typed = {"action": "add_item", "row": domain.pk, "label": "Typed by the second editor"}
    refused = second.post(url, typed | {"revision": stale})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "changed by someone else" in page
    assert 'value="Typed by the second editor"' in page
    assert "Renamed by the first editor" in page
    assert not domain.items.filter(label="Typed by the second editor").exists()

    current = re.search(r'name="revision" value="(\d+)"', page)
    assert current is not None
    assert current.group(1) != stale
    again = second.post(url, typed | {"revision": current.group(1)})
    assert again.status_code == 302
    assert domain.items.filter(label="Typed by the second editor").exists()


def test_a_stale_item_page_answers_409_and_keeps_the_anchor_text(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency, programme=world.programme, status=ScaleStatus.DRAFT)
    item = items_of(scale)[0]
    http = login_as(world.programme_manager)
    item_url = reverse("fidelity:scale_item", args=[item.pk])
    stale = _revision_on(http, item_url)
    services.add_domain(actor=world.agency_admin, scale=scale, name="Added meanwhile")
    response = http.post(item_url, {"label": "Mine", "anchor_3": "Typed anchor", "revision": stale})
    assert response.status_code == 409
    assert "Typed anchor" in response.content.decode()
    item.refresh_from_db()
    assert item.label != "Mine"


def test_activating_a_draft_changed_since_it_was_read_is_refused(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency, programme=world.programme, status=ScaleStatus.DRAFT)
    http = login_as(world.programme_manager)
    url = reverse("fidelity:scale_detail", args=[scale.pk])
    stale = _revision_on(http, url)
    services.add_item(
        actor=world.agency_admin,
        domain=scale.domains.first(),  # type: ignore[arg-type]  # the scale has domains
        label="Added meanwhile",
    )
    assert http.post(url, {"action": "activate", "revision": stale}).status_code == 409
    scale.refresh_from_db()
    assert scale.status == ScaleStatus.DRAFT


def test_an_active_scale_refuses_edits_in_the_editor(world: World, login_as: LoginAs) -> None:
    scale = make_scale(world.agency, programme=world.programme)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:scale_detail", args=[scale.pk]),
        {"action": "add_domain", "new-domain-name": "Late"},
    )
    assert response.status_code == 403
    assert scale.domains.count() == 2


def test_new_version_from_the_editor_opens_the_draft(world: World, login_as: LoginAs) -> None:
    scale = make_scale(world.agency, programme=world.programme)
    response = login_as(world.programme_manager).post(
        reverse("fidelity:scale_detail", args=[scale.pk]), {"action": "new_version"}
    )
    draft = FidelityScale.objects.exclude(pk=scale.pk).get()
    assert response["Location"] == reverse("fidelity:scale_detail", args=[draft.pk])


def test_a_programme_manager_reads_but_cannot_edit_an_agency_wide_draft(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency, status=ScaleStatus.DRAFT)
    http = login_as(world.programme_manager)
    url = reverse("fidelity:scale_detail", args=[scale.pk])
    assert http.get(url).context["can_edit"] is False
    assert http.post(url, {"action": "activate"}).status_code == 403


def test_a_scale_of_another_programme_is_hidden_from_its_non_manager(
    world: World, login_as: LoginAs
) -> None:
    scale = make_scale(world.agency, programme=world.other_programme_team.programme)
    response = login_as(world.programme_manager).get(
        reverse("fidelity:scale_detail", args=[scale.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "role", ["case_manager", "supervisor", "assessor", "researcher", "trainer"]
)
def test_other_roles_get_403_on_the_scale_editor(
    world: World, login_as: LoginAs, role: str
) -> None:
    assert login_as(world.user(role)).get(reverse("fidelity:scale_list")).status_code == 403


# ---- the admin --------------------------------------------------------------------------------
def test_an_agency_administrator_writes_anchor_text_in_the_admin(
    world: World, login_as: LoginAs
) -> None:
    scale = services.install_builtin_scale(actor=world.agency_admin, agency=world.agency)
    item = items_of(scale)[0]
    response = login_as(world.agency_admin).post(
        reverse("admin:fidelity_fidelityitem_change", args=[item.pk]),
        {
            "domain": item.domain_id,
            "position": item.position,
            "code": item.code,
            "label": "Caseload per worker",
            "anchor_1": "Agency text for 1",
            "anchor_5": "Agency text for 5",
        },
    )
    item.refresh_from_db()
    assert response.status_code == 302
    assert item.anchors == {"1": "Agency text for 1", "5": "Agency text for 5"}


def test_an_active_scale_is_read_only_in_the_admin(world: World, login_as: LoginAs) -> None:
    scale = make_scale(world.agency)
    item = items_of(scale)[0]
    response = login_as(world.agency_admin).post(
        reverse("admin:fidelity_fidelityitem_change", args=[item.pk]),
        {"domain": item.domain_id, "position": 1, "code": item.code, "label": "Changed"},
    )
    item.refresh_from_db()
    assert response.status_code == 403
    assert item.label != "Changed"
