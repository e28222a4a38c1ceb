from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class ResearchConfig(AppConfig):
    name = "tandem.research"
    label = "research"
    verbose_name = _("Research")

    @override
    def ready(self) -> None:
        from tandem.measures.signals import nightly_done
        from tandem.research.runs.services import on_nightly

        nightly_done.connect(on_nightly, dispatch_uid="research.quarterly_runs")
