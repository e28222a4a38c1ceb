"""Signals the measurement workflow sends for other apps to act on."""

from django.dispatch import Signal

# Sent once the transaction that completed (scored) a response has committed, with
# ``response_id`` and ``episode_id`` (None for a response outside an episode).
response_completed = Signal()

# Sent once a bulk import (all-or-nothing) has committed, with ``episode_ids``: the sorted,
# distinct episodes the imported responses belong to.
responses_imported = Signal()

# Sent by the nightly measurement task (``measures.tasks.nightly_measures``) once its own work
# is done, with ``today``: apps above measures hang their nightly work here (research queues
# its quarterly analysis runs). Sent with ``send_robust``: a receiver that fails is logged and
# does not stop the others.
nightly_done = Signal()
