"""Structured logging: JSON lines in production, readable in a terminal, always with service and event context.

Every logger of the process goes through the same renderer: structlog's own and the standard library's (uvicorn,
asyncpg, aio-pika, aiormq, FastAPI), by a `ProcessorFormatter` on the root logger, so a JSON log never holds a
plain-text line and a library's line carries the service and the request or event bound at that moment.
"""

from __future__ import annotations

import logging
import sys

import structlog

_CONTEXT: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(service: str, *, log_format: str = "auto", level: str = "INFO") -> None:
    """Set up logging for the process; every line carries the service and any bound request or event context."""
    json_output = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_output
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    threshold = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*_CONTEXT, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_CONTEXT,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for previous in root.handlers[:]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(threshold)
    for name in ("uvicorn", "uvicorn.error", "asyncpg", "aio_pika", "aiormq", "fastapi"):
        library = logging.getLogger(name)
        library.handlers.clear()  # uvicorn's own configuration adds plain-text handlers
        library.propagate = True
    # uvicorn.access is left as uvicorn set it: the services write their own access line (shared/observability)
    # and turn uvicorn's off, which stops its propagation.
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
