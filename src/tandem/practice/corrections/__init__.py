"""Corrections of contacts, goals and steps: edit with a reason, or void (never delete)."""
