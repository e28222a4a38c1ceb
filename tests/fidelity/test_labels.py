"""The built-in scale's name, description and domain names are listed for translation."""

from __future__ import annotations

from django.utils import translation

from tandem.fidelity.labels import BUILTIN_TEXTS, localised
from tandem.fidelity.models import FidelityDomain, FidelityScale
from tandem.fidelity.scales import builtin_scale_codes, load_builtin_scale


def test_every_built_in_scale_text_is_listed_for_translation() -> None:
    shown: set[str] = set()
    for code in builtin_scale_codes():
        scale = load_builtin_scale(code)
        shown |= {scale.name, scale.description, *(domain.name for domain in scale.domains)}
    assert shown - set(BUILTIN_TEXTS) == set()


def test_built_in_names_are_shown_in_french_and_an_agencys_own_as_written() -> None:
    builtin = FidelityScale(name="Strengths Model fidelity scale", version="1")
    own = FidelityDomain(name="Our local domain")
    with translation.override("fr"):
        assert builtin.display_name == "Échelle de fidélité du modèle des forces"
        assert str(builtin) == "Échelle de fidélité du modèle des forces (1)"
        assert FidelityDomain(name="Caseload size").display_name == "Taille de la charge de cas"
        assert own.display_name == "Our local domain"
        assert localised("Hope-inducing practice") == "Pratique qui suscite l\u2019espoir"
    with translation.override("en"):
        assert builtin.display_name == "Strengths Model fidelity scale"
