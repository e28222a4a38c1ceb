"""Research workspace: studies, consent, de-identified data sets, exports and analysis runs."""
