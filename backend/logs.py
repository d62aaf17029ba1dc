"""Logging that never carries a secret.

httpx logs every request's full URL at INFO, and WeChat's APIs take their secrets in the query
string (``gettoken?corpsecret=…``, ``message/send?access_token=…``, ``jscode2session?secret=…``).
``install`` turns httpx / httpcore down to WARNING and, as a second guard for whoever turns them
up again, masks those query values in every record they log.
"""

from __future__ import annotations

import logging
import re

_SECRET_PARAMS = re.compile(
    r"((?:corpsecret|secret|appsecret|access_token|js_code|encoding_aes_key|token)=)[^&\s\"'#]+", re.IGNORECASE
)
QUIET = ("httpx", "httpcore")


def redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    """Masks secret query parameters in a record's message (formatted once, here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose args do not fit its format: leave it to logging
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Idempotent: quiet the HTTP client loggers and mask secrets in what they still log."""
    for name in QUIET:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
