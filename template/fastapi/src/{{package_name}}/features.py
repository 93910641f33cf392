"""How the service is assembled: each part of it is a `Feature`, and `assemble` joins them.

A feature is one module (the database, tenancy, the cache, metrics, the example domain...)
that says what it adds to the application: routers, resources opened at start and closed at
stop, middleware and handlers, readiness checks, log processors, options for `FastAPI()`.
`main.FEATURES` lists the features this service has, in the order they start.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from structlog.types import Processor

# Each feature reads the settings it declares; the service's Settings class inherits them all.
Lifespan = Callable[[FastAPI, Any], AbstractAsyncContextManager[None]]
Install = Callable[[FastAPI, Any], None]
Probe = Callable[[FastAPI], Awaitable[bool]]
# Told of every answered request (method, route template or None, status, seconds) by the
# request context's middleware, in the pass that writes its log line: a feature that counts
# requests (metrics) appends one to `app.state.request_observers` instead of wrapping each
# request in a middleware of its own.
RequestObserver = Callable[[str, str | None, int, float], None]


NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


@dataclass(frozen=True)
class Check:
    """A readiness check: without a `required` dependency the service is unavailable, without
    another one it is degraded but serves."""

    name: str
    probe: Probe
    required: bool = True


@dataclass(frozen=True)
class Feature:
    """What one part of the service adds to the application; it leaves out what it lacks."""

    routers: Sequence[APIRouter] = ()
    lifespan: Lifespan | None = None  # resources opened at start, closed at stop (reverse order)
    install: Install | None = None  # middleware and handlers; the last installed is outermost
    checks: Sequence[Check] = ()
    log_processors: Sequence[Processor] = ()
    options: Callable[[Any], Mapping[str, Any]] | None = None  # keyword arguments for FastAPI()
    # FastAPI tries the routes one by one, in order, at about a microsecond each: routes taken
    # by many requests (the probes, the domain) go first, in the order of their features. Only
    # for paths no route of a feature without it matches.
    routes_first: bool = False


def assemble(features: Sequence[Feature], settings: Any, **options: Any) -> FastAPI:
    """The application made of `features`, configured by `settings`."""
    # FastAPI's own OpenTelemetry is off unless a feature configures it (tracing): on, every
    # request would look up the global providers, through os.environ, to find them unset.
    options = {"telemetry": NO_TELEMETRY, **options}
    for feature in features:
        if feature.options is not None:
            options.update(feature.options(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for feature in features:
                if feature.lifespan is not None:
                    await stack.enter_async_context(feature.lifespan(app, settings))
            yield

    app = FastAPI(lifespan=lifespan, **options)
    app.state.settings = settings
    app.state.checks = [check for feature in features for check in feature.checks]
    app.state.log_processors = [p for feature in features for p in feature.log_processors]
    app.state.request_observers = []
    for feature in sorted(features, key=lambda feature: not feature.routes_first):
        for router in feature.routers:
            app.include_router(router)
    for feature in features:
        if feature.install is not None:
            feature.install(app, settings)
    return app
