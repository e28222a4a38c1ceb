"""Dashboards of the feedback loop: client, case manager, team and programme."""
