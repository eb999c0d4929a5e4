"""Structured logs: one JSON object per line, each carrying the current request's id."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from gunicorn import glogging

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as a JSON line; extra fields given to the logger are kept."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {
                k: v
                for k, v in vars(record).items()
                if k not in self._STANDARD and not k.startswith("_")
            }
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class GunicornJsonLogger(glogging.Logger):
    """gunicorn's access log as JSON lines. Its --access-logformat escapes `"` but not `\\`, so a
    backslash in a URL made an invalid line; here every value goes through json.dumps."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        entry = {
            "gunicorn": atoms["r"],
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "request_id": atoms.get("{x-request-id}o", "-"),
            "ms": atoms["M"],
        }
        self.access_log.info(json.dumps(entry))
