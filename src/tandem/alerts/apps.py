from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class AlertsConfig(AppConfig):
    name = "tandem.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    @override
    def ready(self) -> None:
        from tandem.alerts.receivers import connect

        connect()
