"""Hooks that clients offers to the apps above it: an episode opened, closed or handed over.

Clients never imports the apps that react (measures schedules the due questionnaires, say):
they connect receivers to these signals in their ``AppConfig.ready``. Each is sent with
``Signal.send`` inside the service's transaction, after the episode and its audit event are
written, with the keyword arguments ``actor`` (the acting user) and ``episode``. A receiver
therefore writes in the same transaction, and one that raises aborts the service and rolls
everything back: the episode, its audit event and whatever earlier receivers wrote. Receivers
run in the order they were connected, which follows ``INSTALLED_APPS``.
"""

from django.dispatch import Signal

# Sent by ``clients.services.open_episode`` once the new open episode is saved and audited.
episode_opened = Signal()

# Sent by ``clients.services.close_episode`` once the discharge is saved and audited: the
# episode is closed, with its ``end_date`` set.
episode_closed = Signal()

# Sent by ``clients.corrections.services.hand_over_episode`` once the episode has its new team
# and primary case manager, with ``from_team_id`` and ``from_case_manager_id`` as well.
episode_handed_over = Signal()
