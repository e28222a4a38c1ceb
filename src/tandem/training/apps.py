from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class TrainingConfig(AppConfig):
    name = "tandem.training"
    label = "training"
    verbose_name = _("Training")

    @override
    def ready(self) -> None:
        from tandem.core import home_panels
        from tandem.training.panels import next_session_panel

        home_panels.register(next_session_panel)
