"""Self-efficacy before and after: answering a wave, correcting it, and the cohort's report
checked against scipy and hand computations on the stored answers."""

from __future__ import annotations

import re
from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from numpy.testing import assert_allclose
from scipy import stats as scipy_stats

from tandem.audit.models import Action, AuditEvent
from tandem.measures.registry import get_instrument
from tandem.training import services
from tandem.training.models import Cohort, EfficacyResponse, WaveKind
from tandem.training.report import TOTAL, efficacy_report
from tests.conftest import LoginAs, World
from tests.training.factories import (
    baseline_wave,
    cose_answers,
    efficacy_cohort,
    held_cohort,
)

pytestmark = pytest.mark.django_db

COSE = get_instrument("cose")


@pytest.fixture
def cohort(world: World) -> Cohort:
    return efficacy_cohort(world.agency)


def stored_scores(cohort: Cohort, kind: str, score_name: str) -> np.ndarray:
    """A scale's score per participant (rota order), summed by hand from the stored answers."""
    items = COSE.score(score_name).items
    rows = EfficacyResponse.objects.filter(wave__cohort=cohort, wave__kind=kind).order_by(
        "participant__rota_position"
    )
    return np.array([sum(r.answers[i] for i in items) for r in rows], dtype=float)


def test_the_report_equals_scipy_ttest_rel_and_a_hand_d_z_per_scale(cohort: Cohort) -> None:
    report = efficacy_report(cohort)
    assert report.n_pairs == 6
    assert [s.name for s in report.scales] == list(COSE.score_names)
    for scale in report.scales:
        before = stored_scores(cohort, WaveKind.BASELINE, scale.name)
        after = stored_scores(cohort, WaveKind.END, scale.name)
        reference = scipy_stats.ttest_rel(after, before)
        diff = after - before
        n = len(diff)
        half = scipy_stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n)
        assert scale.test.df == n - 1
        assert_allclose(scale.test.t, reference.statistic, rtol=1e-10)
        assert_allclose(scale.test.p, reference.pvalue, rtol=1e-10)
        assert_allclose(scale.test.d_z, diff.mean() / diff.std(ddof=1), rtol=1e-10)
        assert_allclose(scale.test.ci_low, diff.mean() - half, rtol=1e-10)
        assert_allclose(scale.test.ci_high, diff.mean() + half, rtol=1e-10)


def test_alpha_per_subscale_equals_a_hand_computation_at_baseline(cohort: Cohort) -> None:
    report = efficacy_report(cohort)
    rows = list(EfficacyResponse.objects.filter(wave__cohort=cohort, wave__kind="baseline"))
    for scale in report.scales:
        if scale.name == TOTAL:
            assert scale.alpha is None
            continue
        items = COSE.score(scale.name).items
        x = np.array([[r.answers[i] for i in items] for r in rows], dtype=float)
        k = x.shape[1]
        hand = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
        assert scale.alpha is not None
        assert_allclose(scale.alpha.alpha, hand, rtol=1e-10)


def test_attendance_as_dose_equals_pearson_r(cohort: Cohort) -> None:
    report = efficacy_report(cohort)
    attended = [c.attended for c in report.participants]
    change = stored_scores(cohort, "end", TOTAL) - stored_scores(cohort, "baseline", TOTAL)
    reference = scipy_stats.pearsonr(attended, change)
    assert report.dose is not None
    assert_allclose(report.dose.r, reference.statistic, rtol=1e-10)
    assert_allclose(report.dose.p, reference.pvalue, rtol=1e-10)
    assert report.dose.is_small


def test_the_report_shows_nothing_with_fewer_than_two_pairs(
    world: World, login_as: LoginAs
) -> None:
    cohort = efficacy_cohort(world.agency, n=2)
    EfficacyResponse.objects.filter(wave__cohort=cohort, wave__kind="end").order_by("pk")[
        :1
    ].get().delete()
    assert not efficacy_report(cohort).has_enough
    html = login_as(world.trainer).get(reverse("training:efficacy", args=[cohort.pk]))
    assert "at least two participants" in html.content.decode()
    assert "<svg" not in html.content.decode()


def test_the_trainer_reads_the_report_with_chart_and_table(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    response = login_as(world.trainer).get(reverse("training:efficacy", args=[cohort.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert 'data-scale="microskills"' in html
    assert "Participant 6" in html


def test_the_report_pdf_is_a_pdf(world: World, login_as: LoginAs, cohort: Cohort) -> None:
    response = login_as(world.trainer).get(reverse("training:efficacy_pdf", args=[cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(cohort.pk)).exists()


def test_only_the_cohorts_trainer_sees_the_report(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    participant = cohort.participants.first().user  # type: ignore[union-attr]  # has participants
    for user, status in (
        (participant, 403),
        (world.agency_admin, 403),
        (world.supervisor, 404),
        (world.other_agency_case_manager, 404),
    ):
        for name in ("training:efficacy", "training:efficacy_pdf"):
            assert login_as(user).get(reverse(name, args=[cohort.pk])).status_code == status


def test_a_participant_sees_only_their_own_change(
    world: World, login_as: LoginAs, cohort: Cohort
) -> None:
    places = list(cohort.participants.order_by("rota_position").select_related("user"))
    me, other = places[0], places[1]
    html = login_as(me.user).get(reverse("training:my_training")).content.decode()
    mine = me.efficacy_responses.get(wave__kind="end").scores[TOTAL]
    assert re.search(rf'<td class="num"[^>]*>{mine:g}</td>', html)
    assert other.user.full_name not in html


def test_a_participant_answers_an_open_wave_from_their_page(
    world: World, login_as: LoginAs
) -> None:
    cohort = held_cohort(world.agency)
    wave = baseline_wave(cohort)
    http = login_as(world.case_manager)
    page = http.get(reverse("training:my_training")).content.decode()
    assert reverse("training:efficacy_answer", args=[wave.pk]) in page
    assert (
        "Answer your self-efficacy questionnaire"
        in http.get(reverse("practice:caseload")).content.decode()
    )
    answers = cose_answers(np.random.default_rng(1), 4)
    response = http.post(reverse("training:efficacy_answer", args=[wave.pk]), answers)
    assert response.status_code == 302
    stored = EfficacyResponse.objects.get(wave=wave, participant__user=world.case_manager)
    assert stored.scores[TOTAL] == sum(answers.values())
    assert (
        "Answer your self-efficacy questionnaire"
        not in http.get(reverse("practice:caseload")).content.decode()
    )


def test_missing_items_are_named_and_typed_answers_kept(world: World, login_as: LoginAs) -> None:
    wave = baseline_wave(held_cohort(world.agency))
    answers: dict[str, int | str] = dict(cose_answers(np.random.default_rng(2), 3))
    del answers["q5"]
    answers["q9"] = "9"
    http = login_as(world.case_manager)
    url = reverse("training:efficacy_answer", args=[wave.pk])
    response = http.post(url, answers)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="item-q9"' in html
    assert "has-error" in html
    assert f'name="q1" value="{answers["q1"]}" checked' in html
    answers["q9"] = 3
    response = http.post(url, answers)
    assert response.status_code == 200
    assert 'href="#item-q5"' in response.content.decode()
    assert not EfficacyResponse.objects.exists()
    response = http.post(url, {**answers, "action": "confirm"})
    assert response.status_code == 302
    stored = EfficacyResponse.objects.get()
    # Microskills has 12 items and q5 is blank: prorated, 12 x the mean of the 11 answered.
    answered = [int(answers[f"q{i}"]) for i in range(1, 13) if i != 5]
    assert stored.scores["microskills"] == pytest.approx(12 * np.mean(answered))
    assert stored.n_missing == 1


def test_too_many_blank_items_are_refused_naming_them(world: World) -> None:
    wave = baseline_wave(held_cohort(world.agency))
    answers = cose_answers(np.random.default_rng(3), 3)
    for item in ("q30", "q31"):
        del answers[item]
    with pytest.raises(ValidationError) as refused:
        services.submit_efficacy(actor=world.case_manager, wave=wave, answers=answers)
    assert "30, 31" in " ".join(refused.value.messages)


def test_only_participants_answer_and_only_while_the_wave_is_open(world: World) -> None:
    wave = baseline_wave(held_cohort(world.agency))
    answers = cose_answers(np.random.default_rng(4), 3)
    with pytest.raises(PermissionDenied):
        services.submit_efficacy(actor=world.trainer, wave=wave, answers=answers)
    later = timezone.localdate() + timedelta(days=8)
    with pytest.raises(ValidationError):
        services.submit_efficacy(actor=world.case_manager, wave=wave, answers=answers, today=later)


def test_only_the_trainer_opens_a_wave_once(world: World, login_as: LoginAs) -> None:
    cohort = held_cohort(world.agency)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.open_wave(
            actor=world.agency_admin, cohort=cohort, kind="baseline", closes_on=today
        )
    url = reverse("training:efficacy", args=[cohort.pk])
    form = {"kind": "baseline", "opens_on": today.isoformat(), "closes_on": today.isoformat()}
    assert login_as(world.trainer).post(url, form).status_code == 302
    assert login_as(world.trainer).post(url, form).status_code == 400
    assert cohort.efficacy_waves.count() == 1


def test_a_correction_needs_a_reason_is_audited_and_refuses_a_stale_form(
    world: World, login_as: LoginAs
) -> None:
    wave = baseline_wave(held_cohort(world.agency))
    answers = cose_answers(np.random.default_rng(5), 3)
    response = services.submit_efficacy(actor=world.case_manager, wave=wave, answers=answers)
    url = reverse("training:efficacy_answer", args=[wave.pk])
    http = login_as(world.case_manager)
    changed = {**answers, "q1": 6 if answers["q1"] != 6 else 5}
    assert http.post(url, {**changed, "version": 1}).status_code == 400
    assert http.post(url, {**changed, "version": 1, "reason": "Misread item 1"}).status_code == 302
    response.refresh_from_db()
    assert response.answers["q1"] == changed["q1"]
    assert response.version == 2
    assert response.correction_reason == "Misread item 1"
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="training.efficacyresponse"
    ).exists()
    stale = http.post(url, {**answers, "version": 1, "reason": "Again"})
    assert stale.status_code == 409
    assert 'name="version" value="2"' in stale.content.decode()


def test_a_participant_cannot_correct_someone_elses_answers(world: World) -> None:
    wave = baseline_wave(held_cohort(world.agency))
    answers = cose_answers(np.random.default_rng(6), 3)
    response = services.submit_efficacy(actor=world.case_manager, wave=wave, answers=answers)
    with pytest.raises(PermissionDenied):
        services.correct_efficacy(
            actor=world.teammate,
            response=response,
            expected_version=1,
            answers=answers,
            reason="not mine",
        )
