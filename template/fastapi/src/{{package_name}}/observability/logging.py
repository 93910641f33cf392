"""JSON logs; every line written during a request carries its request id, tenant and user.

No line carries a value a request sent: a database error quotes the statement's parameters and
the values the server refused (`DETAIL:  Key (email)=(...)`), so a traceback names its database
errors by type, SQLSTATE and statement, never by message.
"""

import contextlib
import logging
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any, TextIO

import structlog
from sqlalchemy.exc import DBAPIError
from structlog.types import EventDict, ExcInfo, Processor

# Exceptions whose message may quote request values: the driver's, and SQLAlchemy's around them.
_DATABASE_ERROR_MODULES = ("asyncpg", "sqlalchemy.dialects")


def _message(error: BaseException) -> str:
    """The exception's message, or what can be said of a database error without its values."""
    if not (
        isinstance(error, DBAPIError) or type(error).__module__.startswith(_DATABASE_ERROR_MODULES)
    ):
        return str(error)
    facts = {
        name: getattr(error, name, None)
        for name in ("sqlstate", "constraint_name", "table_name", "column_name")
    }
    if isinstance(error, DBAPIError):
        facts["sqlstate"] = getattr(error.orig, "sqlstate", None)
        facts["statement"] = error.statement
    known = ", ".join(f"{name}={value}" for name, value in facts.items() if value)
    return f"(message withheld: it may quote request values) {known}".rstrip()


def _chain(error: BaseException, seen: set[int]) -> list[str]:
    """The exception and what caused it, in the order and shape Python prints them."""
    seen.add(id(error))
    lines: list[str] = []
    cause, context = error.__cause__, error.__context__
    if cause is not None and id(cause) not in seen:
        lines += _chain(cause, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif context is not None and not error.__suppress_context__ and id(context) not in seen:
        lines += _chain(context, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if error.__traceback__ is not None:
        lines.append("Traceback (most recent call last):\n")
        lines += traceback.format_tb(error.__traceback__)
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    lines.append(f"{name}: {_message(error)}\n")
    return lines


def format_exception(exc_info: ExcInfo) -> str:
    """A traceback like Python's, with the messages of database errors withheld."""
    return "".join(_chain(exc_info[1], set())).rstrip("\n")


render_exception = structlog.processors.ExceptionRenderer(format_exception)


class Output:
    """Where every log line goes: standard output, looked up at each line (so a redirect of
    `sys.stdout` is followed), unless `stream` is set (tests read the lines there)."""

    def __init__(self) -> None:
        self.stream: TextIO | None = None
        self._lock = threading.Lock()  # a line is written whole, whichever thread logs it

    def write(self, line: str) -> None:
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(line + "\n")
            stream.flush()


OUTPUT = Output()


class _LineLogger:
    """structlog's logger for the service's own lines: the processors have rendered the line
    already, so it is written as is, without a `logging.LogRecord` (twice: the formatter copies
    it) and a second pass of the processors, which cost more than the line itself."""

    def msg(self, line: str) -> None:
        try:
            OUTPUT.write(line)
        except (OSError, ValueError) as error:  # stdout closed or gone: no request fails on it
            _report_lost_line(error)

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _report_lost_line(error: Exception) -> None:
    """Say on stderr that a line was lost, as `logging.Handler.handleError` does."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"--- Logging error: {type(error).__name__}: {error} ---\n")


def _line_logger(*_: Any) -> _LineLogger:
    return _LineLogger()


class _Handler(logging.Handler):
    """Standard-library records (uvicorn, SQLAlchemy), rendered by the formatter, to `OUTPUT`."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            OUTPUT.write(self.format(record))
        except Exception:
            self.handleError(record)


_ROOT = logging.getLogger()
_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _drop_below_level(_: Any, method_name: str, event_dict: EventDict) -> EventDict:
    """The root logger's level is every line's, structlog's too (`LOG_LEVEL`, or a test's)."""
    if not _ROOT.isEnabledFor(_LEVELS.get(method_name, logging.NOTSET)):
        raise structlog.DropEvent
    return event_dict


# Every method a real one: the level is checked by `_drop_below_level`, which follows the root
# logger's level when it changes.
_BoundLogger = structlog.make_filtering_bound_logger(logging.NOTSET)


def configure_logging(level: str = "INFO", processors: Sequence[Processor] = ()) -> None:
    """Render structlog and standard-library records (uvicorn, SQLAlchemy) as JSON lines.

    `processors` add fields of other features to every line (tracing adds trace ids).
    """
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        *processors,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            _drop_below_level,
            *shared,
            render_exception,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=_line_logger,
        wrapper_class=_BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            render_exception,  # exceptions logged by libraries (uvicorn, SQLAlchemy)
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = _Handler()
    handler.setFormatter(formatter)
    _ROOT.handlers[:] = [handler]
    _ROOT.setLevel(level.upper())
    # uvicorn's access log is replaced by the request log of RequestContextMiddleware.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
