"""Domain events: a transactional outbox relayed to a broker, and idempotent consumers, when
the context accepts eventual consistency or writes dominate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("none", "rabbitmq", "nats")


def _loosely_coupled(context: Context) -> bool:
    return context.consistency == "eventual" or context.read_write == "write_heavy"


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "the scale is large and reads may lag writes, or writes dominate",
        lambda context: context.scale == "large" and _loosely_coupled(context),
        "nats",
        (
            "At large scale with eventual consistency or heavy writes, domain events leave "
            "through an outbox to NATS JetStream: a replicated, replayable stream that takes "
            "a high publish rate on little memory and lets a new consumer start from any point."
        ),
    ),
    Rule(
        "reads may lag writes, or writes dominate",
        _loosely_coupled,
        "rabbitmq",
        (
            "Reads may lag writes, or writes dominate, so work that need not happen in the "
            "request leaves it: each change writes an event to an outbox in its own transaction, "
            "a relay publishes it to RabbitMQ, and consumers act on it at least once, "
            "idempotently."
        ),
    ),
    otherwise(
        "none",
        (
            "Reads must see every write and writes do not dominate, so everything a change "
            "causes happens in its request; a broker would be one more server to run for "
            "nothing yet."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            (
                "A change's consequences happen in its request, in its transaction; nothing "
                "runs after it."
            ),
            (
                "Adding events later is a new answer (`events: rabbitmq` or `nats`) and "
                "`copier update`: the outbox table, the relay, the consumers and the worker "
                "arrive together; events exist from then on, none for earlier changes."
            ),
        ]
    broker = "RabbitMQ" if value == "rabbitmq" else "NATS JetStream"
    tenancy = answers.get("tenancy", "none")
    found = [
        (
            "Every change to a resource writes its event (`project.created`, `project.updated`, "
            "`project.deleted`) to the `outbox` table in the change's own transaction: an event "
            "exists if and only if its change committed. Nothing is published from the request."
        ),
        (
            f"A relay (`python -m <package>.worker`) publishes outbox rows to {broker} and "
            "marks them published only once the broker has confirmed them: delivery is at "
            "least once. It wakes on `NOTIFY` from the insert, polls slowly as a fallback, and "
            "several relays share the work through `FOR UPDATE SKIP LOCKED`, never taking a "
            "later event of an aggregate before an earlier one is published, so each "
            "aggregate's events leave in commit order. Published rows are deleted after a "
            "retention period."
        ),
        (
            "Consumers are idempotent: each records the message id in the same transaction as "
            "its side effect, so a redelivery changes nothing. A failure is retried with "
            "backoff; after a bounded number of attempts the message goes to a dead letter, "
            "listed and replayed by `python -m <package>.events.dead_letters`."
        ),
        (
            "The example consumer keeps each tenant's project activity "
            "(`GET /api/v1/projects/activity`), eventually consistent: its response says up to "
            "which event it has counted."
        ),
    ]
    if tenancy != "none":
        found.append(
            "The relay sets the tenant in a message header from the outbox row, never from the "
            "payload, and the consumer runs its transaction under that tenant's isolation "
            f"({'row-level security' if tenancy == 'shared' else 'its ' + tenancy}), exactly "
            "as a request does."
        )
    if value == "rabbitmq":
        found.append(
            "RabbitMQ: one topic exchange; one durable quorum queue per consumer, with a retry "
            "queue whose messages expire back into it (the backoff) and a dead-letter queue. "
            "Publisher confirms make a publish count only once RabbitMQ has it on disk."
        )
    else:
        found.append(
            "NATS JetStream: one stream of the service's subjects; one durable pull consumer "
            "per consumer, redelivering a failed message after a growing delay, and a "
            "dead-letter stream. The relay's message id is JetStream's deduplication id, so a "
            "relay that publishes twice within the window stores the event once."
        )
    found.append(
        "Kafka is not offered: no Kafka server runs where this template is tested. It would "
        "change the broker adapter only (a partition key per aggregate keeps the order; "
        "consumer groups and committed offsets replace acknowledgements, and a dead-letter "
        "topic the dead-letter queue); the outbox, the relay's ordering and the idempotent "
        "consumers stay as they are."
    )
    return found


RECORD = Record(
    "Domain events",
    ("consistency", "read_write", "scale"),
    (
        Option(
            "none",
            "No events: a change's consequences happen in its request",
            ("Nothing more to run, and every read sees every write.",),
            (
                (
                    "Slow or failure-prone consequences (mail, projections, other services) slow "
                    "or fail the request, and other services must poll to learn of a change."
                ),
            ),
        ),
        Option(
            "rabbitmq",
            "Transactional outbox relayed to RabbitMQ",
            (
                (
                    "Per-consumer queues with acknowledgements, delayed retry and dead-lettering "
                    "built from queues, a management UI operators know."
                ),
                "Routing by topic patterns lets a consumer take only the events it needs.",
            ),
            (
                (
                    "A queue is consumed once: a new consumer starts with events from then on, "
                    "with no replay of history."
                ),
                "Another server to run, monitor and upgrade.",
            ),
        ),
        Option(
            "nats",
            "Transactional outbox relayed to NATS JetStream",
            (
                (
                    "A stream keeps events after they are consumed: a new consumer can start from "
                    "the beginning, and a lost projection is rebuilt by replaying."
                ),
                "A single small binary, high throughput, deduplication by message id.",
            ),
            (
                "Fewer operators know it than RabbitMQ; routing is by subject only.",
                "Retention of the stream must be sized and watched.",
            ),
        ),
        Option(
            "kafka",
            "Transactional outbox relayed to Kafka (not offered)",
            ("Partitioned log for very high volumes, long retention, a wide ecosystem.",),
            (
                (
                    "The heaviest to run; not offered because it cannot be tested where this "
                    "template is tested."
                ),
            ),
        ),
        Option(
            "publish_in_request",
            "Publishing to the broker from the request (dual write)",
            ("No outbox table, no relay.",),
            (
                (
                    "A commit whose publish fails loses its event, and a publish whose commit "
                    "fails announces a change that never happened."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("events", VALUES, RULES, RECORD)
