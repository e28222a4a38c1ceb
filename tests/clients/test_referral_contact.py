"""The referral form asks gender, preferred language, e-mail and phone, and checks them."""

from __future__ import annotations

from tandem.clients.models import Referral
from tests.clients.test_referrals import referral_post
from tests.conftest import LoginAs, World


def test_the_referral_keeps_gender_language_email_and_phone(
    world: World, login_as: LoginAs
) -> None:
    login_as(world.supervisor).post("/referrals/new/", referral_post(world))
    referral = Referral.objects.get()
    assert (referral.gender, referral.preferred_language) == ("non_binary", "fr")
    assert (referral.email, referral.phone) == ("rowan@example.org", "514 555-0123")


def test_a_bad_phone_and_email_are_named_and_the_input_kept(
    world: World, login_as: LoginAs
) -> None:
    response = login_as(world.supervisor).post(
        "/referrals/new/", referral_post(world, phone="12-34", email="rowan@")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert errors["phone"][0].code == "invalid_phone"
    assert errors["email"][0].code == "invalid"
    html = response.content.decode()
    assert 'value="12-34"' in html
    assert "Lost housing" in html
    assert not Referral.objects.exists()


def test_the_form_asks_the_new_questions(world: World, login_as: LoginAs) -> None:
    form = login_as(world.supervisor).get("/referrals/new/").context["form"]
    assert {"gender", "preferred_language", "email", "phone"} <= set(form.fields)


def test_the_client_page_links_corrections_history_and_hand_over_by_role(
    world: World, login_as: LoginAs
) -> None:
    url = f"/clients/{world.own_client.pk}/"
    episode = world.own_client.episodes.get()
    as_case_manager = login_as(world.case_manager).get(url).content.decode()
    assert f"/clients/{world.own_client.pk}/edit/" in as_case_manager
    assert f"/clients/{world.own_client.pk}/history/" in as_case_manager
    assert f"/episodes/{episode.pk}/handover/" not in as_case_manager
    as_supervisor = login_as(world.supervisor).get(url).content.decode()
    assert f"/episodes/{episode.pk}/handover/" in as_supervisor
