"""Log filters: no self-report token in any line, one line for a refused page.

Both are attached to every handler in ``settings.LOGGING`` (and to gunicorn's loggers, see
``tandem.core.gunicorn_logging``), so that a record reaches no output unfiltered, whichever
logger it came from: Django's request warnings ("Gone: /r/<token>/"), the development server's
access lines, gunicorn's access log, or a traceback.
"""

from __future__ import annotations

import logging
import re

from typing_extensions import override

# A self-report link's path segment is its token (``/r/<token>/``): the address is the secret.
_LINK_TOKEN = re.compile(r"/r/[^/\s?#\"'<>]+")
REDACTED_LINK = "/r/<redacted>"
_TRACEBACK = logging.Formatter()


def redact_link_tokens(text: str) -> str:
    """``text`` with every ``/r/<token>`` replaced by ``/r/<redacted>``."""
    return _LINK_TOKEN.sub(REDACTED_LINK, text)


class RedactLinkTokens(logging.Filter):
    """Render the record's message now and redact link tokens in it and in its traceback.

    The message is formatted here (``msg % args``) because a token usually travels in the
    arguments (``"Gone: %s", path``); the record then carries the finished, redacted text.
    """

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed record: the handler reports it; redact what can be redacted.
            message = str(record.msg)
        record.msg = redact_link_tokens(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACK.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_link_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_link_tokens(record.stack_info)
        return True


class ClientErrorsInOneLine(logging.Filter):
    """Drop the traceback of a 4xx record: a refused or missing page is not a fault.

    Django logs ``PermissionDenied`` with its exception, so every 403 printed a traceback that
    said nothing more than the one line "Forbidden (Permission denied): <path>".
    """

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int) and 400 <= status_code < 500:
            record.exc_info = None
            record.exc_text = None
        return True
