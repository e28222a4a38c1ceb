"""Demo wording: invented neutral statements so that a walk of the demo shows real questions.

None of these texts is, or paraphrases, an item of a published instrument: they were written for
the demonstration and say nothing an instrument's scoring relies on. Every row is stored with
``is_demo`` set, and every page that shows it says "demo wording, not the instrument's text".
An agency that holds a licence loads the real wording over it (a newer revision wins).
"""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.measures.models import InstrumentWording
from tandem.measures.registry import Instrument, all_instruments
from tandem.measures.services.wording import load_wording
from tandem.measures.wording import LANGUAGES, WordingDocument
from tandem.orgs.models import Agency

STATEMENTS = {
    "en": (
        "Demo statement: I had what I needed for an ordinary day.",
        "Demo statement: I knew whom to call when a plan changed.",
        "Demo statement: My week had some time that felt like mine.",
        "Demo statement: I could find my way to the places I go.",
        "Demo statement: I finished a small task I had put off.",
        "Demo statement: I shared a meal or a coffee with someone.",
        "Demo statement: The paperwork in my life felt manageable.",
        "Demo statement: I slept at the hours I meant to.",
        "Demo statement: I tried something I had not done in a while.",
        "Demo statement: I found out about an activity near home.",
        "Demo statement: Money for the week lasted to the end of it.",
        "Demo statement: I had a say in the plans made with me.",
    ),
    "fr": (
        "Énoncé de démonstration : j'avais ce qu'il me fallait pour une journée ordinaire.",
        "Énoncé de démonstration : je savais qui appeler quand un projet changeait.",
        "Énoncé de démonstration : ma semaine avait un moment rien qu'à moi.",
        "Énoncé de démonstration : je trouvais mon chemin vers les lieux où je vais.",
        "Énoncé de démonstration : j'ai terminé une petite tâche remise à plus tard.",
        "Énoncé de démonstration : j'ai partagé un repas ou un café avec quelqu'un.",
        "Énoncé de démonstration : les papiers de ma vie me semblaient gérables.",
        "Énoncé de démonstration : j'ai dormi aux heures que je voulais.",
        "Énoncé de démonstration : j'ai essayé une chose pas faite depuis longtemps.",
        "Énoncé de démonstration : j'ai découvert une activité près de chez moi.",
        "Énoncé de démonstration : l'argent de la semaine a duré jusqu'au bout.",
        "Énoncé de démonstration : j'ai eu mon mot à dire dans les projets faits avec moi.",
    ),
}
TEXT_FIELD = {
    "en": "Demo statement: name one part of your life you would like to go better.",
    "fr": "Énoncé de démonstration : nommez un aspect de votre vie qui pourrait aller mieux.",
}


def demo_document(instrument: Instrument) -> WordingDocument:
    """The demo wording of one instrument, in each language it offers."""
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        if language not in instrument.languages:
            continue
        pool = STATEMENTS[language]
        by_item = {item.id: pool[i % len(pool)] for i, item in enumerate(instrument.items)}
        by_item.update({item.id: TEXT_FIELD[language] for item in instrument.text_items})
        texts[language] = by_item
    return WordingDocument(instrument, texts)


def load_demo_wording(*, agency: Agency, actor: User | None = None) -> list[InstrumentWording]:
    """Store the demo wording of every registered instrument for the demo agency, flagged."""
    rows: list[InstrumentWording] = []
    for instrument in all_instruments():
        document = demo_document(instrument)
        if document.texts:
            rows += load_wording(actor=actor, agency=agency, document=document, is_demo=True)
    return rows
