"""Built-in instrument titles and score labels are listed for translation and shown in French."""

from __future__ import annotations

from django.utils import translation

from tandem.measures.labels import LISTED, localised
from tandem.measures.registry import all_instruments


def test_every_built_in_title_and_score_label_is_listed_for_translation() -> None:
    shown = {instrument.title for instrument in all_instruments()} | {
        score.label for instrument in all_instruments() for score in instrument.scores
    }
    assert shown - LISTED == set()


def test_listed_labels_are_shown_in_french() -> None:
    with translation.override("fr"):
        assert localised("Met needs") == "Besoins comblés"
        assert localised("THS (hope)") == "THS (espoir)"
        assert localised("Pathways") == "Voies"


def test_an_agencys_own_label_is_returned_as_written() -> None:
    with translation.override("fr"):
        assert localised("Our local wellbeing score") == "Our local wellbeing score"


def test_every_built_in_response_option_label_with_words_is_listed_for_translation() -> None:
    worded = {
        option.label
        for instrument in all_instruments()
        for scale in instrument.scales.values()
        for option in scale.options
        if not option.label.replace(".", "").isdigit()
    }
    assert worded - LISTED == set()


def test_response_option_labels_are_shown_in_french() -> None:
    with translation.override("fr"):
        assert localised("unmet need") == "besoin non comblé"
        assert localised("1 (lowest)") == "1 (le plus bas)"


def test_every_listed_label_has_a_french_translation_in_its_context() -> None:
    with translation.override("fr"):
        untranslated = {label for label in LISTED if localised(label) == label}
    # Labels that read the same in both languages.
    assert untranslated <= {"Total", "Total (0-100)", "RPRS (alliance)", "WAI-SR (alliance)"}


def test_a_score_called_agency_is_not_the_organisation_other_pages_name() -> None:
    with translation.override("fr"):
        assert localised("Agency") == "Agentivité"
        assert translation.gettext("Agency") == "Organisme"
