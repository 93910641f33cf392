"""Cache-aside for reads: the port every domain reads through, and the service without a cache.

`Cache.read` returns the cached copy of a key or loads and stores it; `Cache.forget`, called
by the transaction that changes a key, makes sure no read after its commit is served the older
value. Keys are scoped to the session's tenant, so
no tenant is ever served another's entry. Without a cache feature (Redis) every read loads:
the domains read the same either way.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

Model = TypeVar("Model", bound=BaseModel)
Key = tuple[object, ...]


class Cache:
    """No cache: every read goes to PostgreSQL, and there is nothing to forget."""

    async def read(
        self,
        session: AsyncSession,
        key: Key,
        load: Callable[[], Awaitable[Model]],
        model: type[Model],
    ) -> Model:
        """The value of `key`: cached, or loaded with `load`."""
        return await load()

    async def forget(self, session: AsyncSession, key: Key) -> None:
        """`key`'s value is changing in `session`'s transaction: no read may be served the
        older value once it commits. Call it before the transaction commits."""


_NO_CACHE = Cache()


async def _cache(request: Request) -> Cache:
    """The cache a feature plugged in (`app.state.cache`), or none."""
    cache: Cache = getattr(request.app.state, "cache", _NO_CACHE)
    return cache


CurrentCache = Annotated[Cache, Depends(_cache)]
