"""The built-in scale's name, description and domain names, marked for translation.

Scales are YAML, which makemessages does not read; listing their display texts here puts them in
the French catalogue. A built-in scale is copied into the database in English; ``localised(text)``
shows a listed text in the reader's language and any other (an agency's own wording) unchanged.
``tests/fidelity/test_labels.py`` fails when the built-in scale gains a text not listed here.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

BUILTIN_TEXTS = (
    gettext_noop("Strengths Model fidelity scale"),
    gettext_noop(
        "Structure of the 31-item, 9-domain Strengths Model fidelity scale; labels and anchors "
        "are the agency's own."
    ),
    gettext_noop("Caseload size"),
    gettext_noop("Community contact"),
    gettext_noop("Individual supervision"),
    gettext_noop("Group supervision"),
    gettext_noop("Strengths assessment"),
    gettext_noop("Personal recovery plan"),
    gettext_noop("Integration of the strengths assessment into the treatment plan"),
    gettext_noop("Resources outside the formal mental health system"),
    gettext_noop("Hope-inducing practice"),
)
_LISTED = frozenset(BUILTIN_TEXTS)


def localised(text: str) -> str:
    """``text`` in the reader's language if the built-in scale wrote it; otherwise as it is."""
    return gettext(text) if text in _LISTED else text
