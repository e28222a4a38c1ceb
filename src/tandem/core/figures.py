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
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure  # the backend is chosen before pyplot loads
from matplotlib.text import Text

from tandem.core.svg import without_inline_styles

__all__ = ["legend_outside", "new_figure", "to_svg"]


def new_figure(width: float = 6.0, height: float = 2.8) -> Figure:
    """A figure sized for a dashboard panel (and for the A4 PDF reports)."""
    return Figure(figsize=(width, height), dpi=72)


def legend_outside(
    axes: Axes, handles: list[Any] | None = None, labels: list[str] | None = None
) -> None:
    """The legend to the right of the plot area, never over the data it explains.

    :func:`to_svg` saves the figure with a tight bounding box, so the legend is not cut off.
    """
    if handles is None or labels is None:
        handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    axes.legend(
        handles,
        labels,
        fontsize=6,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        frameon=False,
    )


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
        # A tight box keeps a legend placed outside the plot area (``legend_outside``) in view.
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    svg = buffer.getvalue()
    # Styles become attributes so that the page's Content-Security-Policy lets them apply.
    return without_inline_styles(svg[svg.index("<svg") :])
