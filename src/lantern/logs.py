"""Application logs: the standard library's ``logging``, one line per event, as text or JSON.

``log_format = "json"`` (``LANTERN_LOG_FORMAT=json``) writes one JSON object a line to stderr, which
journald, Docker and any log shipper take as they are; ``text`` is for a person at a terminal. Every line
logged while a web request is served carries that request's id (``request_id``), the one the response
returns in ``X-Request-ID``, so an operator can find all lines of one request. What the access log says
of a request is decided in ``lantern.web.observe``, which keeps search terms and identifiers out of it.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson

from lantern.config import Settings

request_id: ContextVar[str | None] = ContextVar("lantern_request_id", default=None)
"""The id of the web request being served in this context (None outside one)."""

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
"""Record attributes that are not a caller's extra fields (uvicorn's ``color_message`` repeats the message
with terminal colours)."""


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, request id, and any
    ``extra={...}`` fields the caller gave."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and value is not None and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time level logger: message [request id]`` and the extra fields as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{key}={value}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and key != "request_id" and value is not None and not key.startswith("_")
        ]
        rid = getattr(record, "request_id", None)
        return " ".join([line, *extras, *([f"[{rid}]"] if rid else [])])


class StderrHandler(logging.StreamHandler):
    """A handler on whatever ``sys.stderr`` is when a record is written (tests and tools swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def formatter(settings: Settings) -> logging.Formatter:
    return JsonFormatter() if settings.log_format == "json" else TextFormatter()


def configure_logging(settings: Settings) -> None:
    """Send Lantern's and the server's logs to stderr in the configured format and level (idempotent)."""
    handler = StderrHandler()
    handler.setFormatter(formatter(settings))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_lantern", False)]:
        root.removeHandler(old)
    handler._lantern = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # httpx logs every request's full URL at INFO; webhook URLs can carry their secret in the query.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's own loggers through the root handler above, so its lines share the format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": settings.log_level}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
