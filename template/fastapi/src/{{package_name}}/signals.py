"""What happens inside the service, announced for whoever wants to count it (metrics do).

A module sends; it never knows who listens, so an optional feature observes the core without
the core importing it. Receivers run synchronously and must be cheap.
"""

from blinker import Namespace

_signals = Namespace()

rate_limited = _signals.signal("rate-limited")
"""A request was refused by a rate limit; the sender is the limit's scope."""

cache_read = _signals.signal("cache-read")
"""A cache lookup ended; the sender is the result: "hit", "miss" or "error"."""
