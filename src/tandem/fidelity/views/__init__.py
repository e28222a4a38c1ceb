"""Fidelity pages by sub-domain: reviews, the scale editor, and a team's indicators."""
