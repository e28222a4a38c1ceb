"""Panels that apps above the foundation add to people's start pages.

The start pages belong to lower apps (the caseload, the team list, the site's home page), which
may not import the apps whose news they show. An app registers a function here at start-up
(``AppConfig.ready``); ``{% home_panels %}`` renders what each returns for the signed-in user.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest], SafeString | str]

_panels: list[Panel] = []


def register(panel: Panel) -> None:
    """Add a panel (once); it returns rendered HTML, or an empty string when it has nothing."""
    if panel not in _panels:
        _panels.append(panel)


def panels() -> tuple[Panel, ...]:
    return tuple(_panels)
