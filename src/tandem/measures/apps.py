from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class MeasuresConfig(AppConfig):
    name = "tandem.measures"
    label = "measures"
    verbose_name = _("Measures")

    @override
    def ready(self) -> None:
        # Validate every instrument definition at start-up: a broken local file stops the
        # process with one line naming the file and the field, not at the first response.
        from tandem.measures.registry import DefinitionError, all_instruments

        try:
            all_instruments()
        except DefinitionError as exc:
            raise ImproperlyConfigured(f"instrument definitions: {exc}") from None

        from tandem.measures.receivers import connect

        connect()
