"""The built-in definitions' instrument titles, score labels and response-option labels,
marked for translation.

Definitions are YAML, which makemessages does not read; listing their display labels here puts
them in the French catalogue. ``localised(label)`` translates a listed label and returns any other
(an agency's own definition) unchanged. ``tests/measures/test_labels.py`` fails when a built-in
definition gains a label that is not listed.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, pgettext

INSTRUMENT_TITLES = (
    gettext_noop("CANSAS (needs)"),
    gettext_noop("COSE (counselling self-efficacy)"),
    gettext_noop("MCAS (community functioning)"),
    gettext_noop("ORS (outcome)"),
    gettext_noop("PGI (patient-generated index)"),
    gettext_noop("QOLI-20 (quality of life)"),
    gettext_noop("RPRS (alliance)"),
    gettext_noop("SRS (session alliance)"),
    gettext_noop("THS (hope)"),
    gettext_noop("WAI-SR (alliance)"),
)

SCORE_LABELS = (
    gettext_noop("Adjustment to living"),
    gettext_noop("Agency"),
    gettext_noop("Attending to process"),
    gettext_noop("Awareness of values"),
    gettext_noop("Behavioural problems"),
    gettext_noop("Bond"),
    gettext_noop("Cultural competence"),
    gettext_noop("Dealing with difficult client behaviours"),
    gettext_noop("Goal"),
    gettext_noop("Index (0-100)"),
    gettext_noop("Interference with functioning"),
    gettext_noop("Met needs"),
    gettext_noop("Microskills"),
    gettext_noop("Overall"),
    gettext_noop("Pathways"),
    gettext_noop("Social competence"),
    gettext_noop("Task"),
    gettext_noop("Total"),
    gettext_noop("Total (0-100)"),
    gettext_noop("Total needs"),
    gettext_noop("Unmet needs"),
)

# Response options whose label says more than their number (a bare "3" needs no translation).
SCALE_LABELS = (
    gettext_noop("0 (lowest)"),
    gettext_noop("0 (worst)"),
    gettext_noop("1 (lowest)"),
    gettext_noop("10 (best)"),
    gettext_noop("10 (highest)"),
    gettext_noop("4 (highest)"),
    gettext_noop("5 (highest)"),
    gettext_noop("6 (highest)"),
    gettext_noop("7 (highest)"),
    gettext_noop("8 (highest)"),
    gettext_noop("met need"),
    gettext_noop("no need"),
    gettext_noop("not known"),
    gettext_noop("unmet need"),
)

LISTED = frozenset(INSTRUMENT_TITLES + SCORE_LABELS + SCALE_LABELS)


# Labels are translated in this context, so that a score called "Agency" (agentivité) is not
# the word other pages use for an organisation (organisme).
CONTEXT = "instrument label"


def localised(label: str) -> str:
    """The label in the active language when it is a built-in one, else as written."""
    return pgettext(CONTEXT, label) if label in LISTED else label
