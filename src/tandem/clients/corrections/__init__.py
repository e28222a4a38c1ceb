"""Corrections of a client's record and hand-overs of episodes, with the history they leave."""
