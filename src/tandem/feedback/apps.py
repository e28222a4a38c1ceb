from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class FeedbackConfig(AppConfig):
    name = "tandem.feedback"
    label = "feedback"
    verbose_name = _("Feedback")

    @override
    def ready(self) -> None:
        from tandem.feedback.receivers import connect

        connect()
