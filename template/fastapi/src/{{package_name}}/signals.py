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

audited = _signals.signal("audited")
"""Something an audit trail records happened inside a transaction that has not committed yet.

The sender is the action, a dotted name ("auth.login", "member.invited", "api_key.revoked").
Keyword arguments: `session` (the transaction the change is in: a receiver that writes adds
its row there, so the record commits or rolls back with the change), `actor_id` (the user or
API key acting, None when anonymous), `resource_type`, `resource_id` and `changes` (a dict of
field: [before, after], never a secret). Without an audit trail, nobody listens.
"""

resource_changed = _signals.signal("resource-changed")
"""A resource row is being inserted, changed or deleted by a flush (`changes`), inside a
transaction that has not committed yet.

The sender is the action, "<resource type>.<created|updated|deleted>" ("project.created").
Keyword arguments: `session` (the flush's session: a receiver adds its rows there, so they
commit or roll back with the change), `resource_type`, `resource_id`, `changes` (a dict of
field: [before, after], secrets included: a receiver redacts what it keeps) and `row` (the
resource itself, its values after the change). The audit trail and the outbox listen.
"""

outbox_published = _signals.signal("outbox-published")
"""The relay published a batch of events; the sender is the outbox ("service", or a tenant's
database), `count` how many."""

outbox_failed = _signals.signal("outbox-failed")
"""A relay batch failed (the broker or the database out of reach); the sender is the error's
class name. The batch's events stay in the outbox and go out on a later try."""

outbox_backlog = _signals.signal("outbox-backlog")
"""The relay measured the outbox: `pending` events not yet published, the oldest of them
`oldest_seconds` old (0 when none)."""

message_consumed = _signals.signal("message-consumed")
"""A consumer finished with a delivery; the sender is the outcome: "consumed", "duplicate" (a
redelivery, skipped), "skipped" (no such active tenant) or "failed". Keyword: `consumer`."""

dead_lettered = _signals.signal("dead-lettered")
"""A message became a dead letter after its last attempt; the sender is the consumer's name."""

job_ran = _signals.signal("job-ran")
"""A background job ran; the sender is the outcome: "succeeded", "retried" or "failed".
Keyword arguments: `task` (its name) and `seconds` (how long it ran)."""

replica_measured = _signals.signal("replica-measured")
"""The read replica's lag was measured; the sender is the lag in seconds, None when the replica
is out of reach (reads go to the primary)."""
