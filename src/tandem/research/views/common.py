"""What the research pages share."""

from __future__ import annotations

from django.forms import Form
from django.utils.translation import gettext as _


def changed_elsewhere(form: Form, version: int) -> None:
    """Say so, keep the input, and let a deliberate second save go against ``version``."""
    form.add_error(
        None,
        _(
            "This record was changed by someone else while you were editing. Your input is kept "
            "below: read the record as it is now, then save again."
        ),
    )
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict when bound
    data["version"] = str(version)
    form.data = data
