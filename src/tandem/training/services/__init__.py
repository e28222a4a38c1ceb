"""Every write of the training app, each checked, validated and audited in one transaction."""

from tandem.training.services.cohorts import (
    CohortChangedError,
    correct_cohort,
    create_cohort,
    void_cohort,
)
from tandem.training.services.efficacy import (
    correct_efficacy,
    correct_wave,
    open_wave,
    submit_efficacy,
    void_wave,
)
from tandem.training.services.interviews import InterviewProject, open_interview_project
from tandem.training.services.notes import (
    correct_follow_up,
    correct_note,
    record_follow_up,
    void_follow_up,
    void_note,
    write_note,
)
from tandem.training.services.rota import (
    answer_swap,
    may_undo_swap,
    replan_rota,
    request_swap,
    send_presenter_reminders,
    undo_swap,
)
from tandem.training.services.sessions import (
    add_link,
    add_material_file,
    correct_session,
    record_attendance,
    void_material,
)

__all__ = [
    "CohortChangedError",
    "InterviewProject",
    "add_link",
    "add_material_file",
    "answer_swap",
    "correct_cohort",
    "correct_efficacy",
    "correct_follow_up",
    "correct_note",
    "correct_session",
    "correct_wave",
    "create_cohort",
    "may_undo_swap",
    "open_interview_project",
    "open_wave",
    "record_attendance",
    "record_follow_up",
    "replan_rota",
    "request_swap",
    "send_presenter_reminders",
    "submit_efficacy",
    "undo_swap",
    "void_cohort",
    "void_follow_up",
    "void_material",
    "void_note",
    "void_wave",
    "write_note",
]
