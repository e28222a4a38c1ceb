"""Every write of the fidelity app: scales (``scales``) and reviews (``reviews``)."""

from tandem.fidelity.services.reviews import (
    ReviewChangedError,
    compute_scores,
    create_review,
    finalise_review,
    record_consensus,
    save_ratings,
)
from tandem.fidelity.services.scales import (
    ScaleChangedError,
    activate_scale,
    add_domain,
    add_item,
    create_scale,
    install_builtin_scale,
    move_domain,
    move_item,
    new_scale_version,
    remove_domain,
    remove_item,
    rename_domain,
    update_item,
    update_scale,
)

__all__ = [
    "ReviewChangedError",
    "ScaleChangedError",
    "activate_scale",
    "add_domain",
    "add_item",
    "compute_scores",
    "create_review",
    "create_scale",
    "finalise_review",
    "install_builtin_scale",
    "move_domain",
    "move_item",
    "new_scale_version",
    "record_consensus",
    "remove_domain",
    "remove_item",
    "rename_domain",
    "save_ratings",
    "update_item",
    "update_scale",
]
