"""JSON logs; every line written during a request carries its request id, tenant and user."""

import logging
import sys
from collections.abc import Sequence

import structlog
from structlog.types import Processor


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
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log is replaced by the request log of RequestContextMiddleware.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
