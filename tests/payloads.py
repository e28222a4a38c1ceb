"""Hostile inputs shared by the tests of every place that writes them out."""

from __future__ import annotations

# OWASP's CSV-injection triggers (=, +, -, @, tab, carriage return) as a cell's first character.
FORMULA_PAYLOADS = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://x","y")',
]
