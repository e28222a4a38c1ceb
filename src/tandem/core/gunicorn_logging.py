"""Gunicorn's logger for ``tandem serve``: access and error lines without self-report tokens."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger
from typing_extensions import override

from tandem.core.logs import RedactLinkTokens

_REDACT = RedactLinkTokens()


class RedactingLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type hints
    """Gunicorn's own logger, its records redacted before any handler (file, syslog) sees them.

    An access line can name a token in the request line, the path, the referrer, a header or an
    environment value; the filter redacts the finished line, whatever the access-log format.
    """

    @override
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(_REDACT)
