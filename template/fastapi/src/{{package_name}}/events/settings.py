"""Where events go (`BROKER_URL`) and how hard the relay and the consumers try."""

from pydantic import AnyUrl, Field

from ..config import ServiceSettings


class Settings(ServiceSettings):
    # amqp://user:password@host:5672/vhost (RabbitMQ) or nats://host:4222 (NATS JetStream).
    broker_url: AnyUrl
    # Names the exchange and queues, or the stream and subjects, so services (and test runs)
    # sharing a broker never see each other's events.
    events_prefix: str = Field(default="events", pattern=r"^[a-z][a-z0-9_]{0,40}$")
    # A publish or a connection the broker does not answer within this fails (BrokerUnavailable).
    broker_timeout_seconds: float = Field(default=10.0, gt=0)
    events_max_attempts: int = Field(default=5, ge=1, le=100)  # then the dead letter
    events_retry_base_seconds: float = Field(default=1.0, gt=0)  # doubles on each attempt
    events_retry_max_seconds: float = Field(default=300.0, gt=0)
    # NATS: a delivery unacknowledged this long (its consumer gone) is handed out again; a handler
    # at work says so every third of it. RabbitMQ hands it out again when the connection drops.
    events_ack_wait_seconds: float = Field(default=30.0, ge=1, le=3600)
    outbox_batch_size: int = Field(default=100, ge=1, le=10_000)
    outbox_poll_seconds: float = Field(default=5.0, gt=0)  # the fallback when NOTIFY is missed
    outbox_retention_hours: float = Field(default=24.0, ge=0)  # published rows, then deleted
    # Consumers remember the messages they handled this long (a redelivery within it changes
    # nothing), purged every so often.
    events_processed_retention_hours: float = Field(default=168.0, gt=0)
    events_purge_interval_seconds: float = Field(default=3600.0, gt=0)
