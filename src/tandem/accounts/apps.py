from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from typing_extensions import override


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    @override
    def ready(self) -> None:
        from tandem.accounts import signals  # noqa: F401 - connects the receivers
