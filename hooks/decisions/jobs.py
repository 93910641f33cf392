"""Background jobs: a worker that runs jobs enqueued in the transaction of the change that
causes them, and scheduled ones, each under its tenant's isolation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import Context, Decision, Option, Record, Rule, Value, otherwise

VALUES: tuple[Value, ...] = ("none", "procrastinate")


def _work_leaves_the_request(context: Context) -> bool:
    return context.read_write == "write_heavy" or context.consistency == "eventual"


RULES: tuple[Rule[Value], ...] = (
    Rule(
        "writes dominate, or reads may lag writes",
        _work_leaves_the_request,
        "procrastinate",
        (
            "Writes dominate, or reads may lag writes, so heavy or slow work leaves the request "
            "for a worker: the job is enqueued in the same PostgreSQL transaction as the change "
            "that causes it, and retried with backoff until it succeeds."
        ),
    ),
    otherwise(
        "none",
        (
            "Reads must see every write and writes do not dominate, so the work a request causes "
            "is done in the request; a worker would be one more process to run."
        ),
    ),
)


def _consequences(value: Value, answers: Mapping[str, Any]) -> list[str]:
    if value == "none":
        return [
            "Everything a request causes is done before it answers; nothing runs on a schedule.",
            (
                "Adding jobs later is a new answer (`jobs: procrastinate`) and `copier update`: "
                "the job tables, the worker and the example jobs arrive together."
            ),
        ]
    found = [
        (
            "Jobs live in PostgreSQL (procrastinate's tables, beside the service's own): a "
            "request enqueues a job in its own transaction, so the job exists if and only if "
            "the change committed, and no other server is needed."
        ),
        (
            "`python -m <package>.worker` runs them, several workers sharing the queue "
            "through `FOR UPDATE SKIP LOCKED`; each job carries its tenant and runs in a "
            "transaction scoped to it, like a request. A failed job is retried with exponential "
            "backoff, a bounded number of times; jobs are written to be safe to run twice."
        ),
        (
            "Periodic jobs are declared beside their code (a cron expression) and deferred once "
            "per period however many workers run. A stopping worker finishes the jobs it has "
            "started and takes no new one."
        ),
        (
            "Why procrastinate: asyncio-native, PostgreSQL only (enqueueing joins the "
            "application's transaction, which a Redis-backed queue such as arq, saq or taskiq "
            "cannot do), with retries, backoff, locks and periodic jobs built in and actively "
            "maintained; dramatiq and Celery are synchronous at heart and need a broker."
        ),
    ]
    if answers.get("tenancy") == "database":
        found.append(
            "With a database per tenant, the queue is in the catalog database and the change in "
            "the tenant's: the two commit one after the other, not atomically. A job whose "
            "change did not commit finds nothing to do (the example job checks its project "
            "exists), and one lost between the two commits is the rare price of the mode."
        )
    return found


RECORD = Record(
    "Background jobs",
    ("consistency", "read_write"),
    (
        Option(
            "none",
            "No jobs: a request does its work before it answers",
            ("Nothing more to run; a request's effects are all visible when it answers.",),
            ("Slow work lengthens the request, and nothing runs on a schedule.",),
        ),
        Option(
            "procrastinate",
            "procrastinate: a PostgreSQL job queue",
            (
                (
                    "Enqueued in the transaction of the change: no job for a rolled-back change, "
                    "none lost for a committed one."
                ),
                "No broker to run; retries, backoff, locks and periodic jobs built in.",
            ),
            (
                (
                    "Jobs add writes to PostgreSQL; past thousands of jobs a second a broker-backed "
                    "queue scales further."
                ),
            ),
        ),
        Option(
            "redis_queue",
            "A Redis-backed queue (arq, saq, taskiq)",
            ("Very fast enqueue and pick-up.",),
            (
                (
                    "Enqueueing cannot join the database transaction: a job can exist for a change "
                    "that rolled back, or be lost for one that committed."
                ),
            ),
        ),
    ),
    _consequences,
)


DECISION = Decision("jobs", VALUES, RULES, RECORD)
