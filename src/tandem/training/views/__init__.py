"""The training pages, by subject: cohorts and their sessions, notes and rota; self-efficacy."""
