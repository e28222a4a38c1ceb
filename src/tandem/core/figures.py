"""Every server-rendered chart's figure and its inline SVG: matplotlib set up in one place.

Labels come from data (team, client, instrument and domain names), so they are drawn as plain
text: matplotlib would otherwise read text between two ``$`` signs as mathtext, drawing
``$x^2$`` as a formula and failing the whole page on a name it cannot parse (``$$``).
:func:`to_svg` turns math parsing off for every text of the figure, including the tick labels
that matplotlib only creates while drawing.

No Django import: any app, and the PDF reports, draw through here.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # the backend is chosen before pyplot loads
from matplotlib.text import Text

from tandem.core.svg import without_inline_styles

__all__ = ["new_figure", "to_svg"]


def new_figure(width: float = 6.0, height: float = 2.8) -> Figure:
    """A figure sized for a dashboard panel (and for the A4 PDF reports)."""
    return Figure(figsize=(width, height), dpi=72)


def to_svg(figure: Figure) -> str:
    """The figure as inline SVG (no XML prologue, so it can sit inside the page), styles as
    presentation attributes.

    Every text is drawn literally, never as mathtext.
    """
    with matplotlib.rc_context({"text.parse_math": False}):
        # Texts made before now (titles, legends, labels given to set_xticks) keep the setting
        # they were made with; texts made while drawing (new tick labels) take the rc value.
        for text in figure.findobj(Text):
            text.set_parse_math(False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    # Styles become attributes so that the page's Content-Security-Policy lets them apply.
    return without_inline_styles(svg[svg.index("<svg") :])
