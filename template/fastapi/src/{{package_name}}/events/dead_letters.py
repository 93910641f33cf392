"""The operator's command for dead letters: list them, and replay them once the cause is fixed.

    python -m <package>.events.dead_letters list [--consumer NAME] [--limit N]
    python -m <package>.events.dead_letters replay [--consumer NAME] [ID ...]

One line per letter, tab-separated: consumer, message id, type, tenant ("-" for none), attempts,
last error. Without `--consumer`, every consumer the service declares. A replay hands the
letters (the ids given, or all) back to their consumer as first attempts and removes them.
It reads `BROKER_URL` and `EVENTS_PREFIX` like the service, and goes through the broker port
only, so it is the same for every broker.
"""

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence
from uuid import UUID

from .broker import BrokerUnavailable, DeadLetter
from .brokers import open_broker
from .settings import Settings

EVENTS = __package__ or "events"  # `<package>.events`, also when run with `python -m`


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {EVENTS}.dead_letters", description="List or replay dead letters."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="print the dead letters, leaving them in place")
    listing.add_argument("--consumer", help="only this consumer's (default: every consumer's)")
    listing.add_argument("--limit", type=int, default=100, help="at most this many per consumer")
    replay = commands.add_parser("replay", help="hand dead letters back to their consumer")
    replay.add_argument("--consumer", help="only this consumer's (default: every consumer's)")
    replay.add_argument("ids", nargs="*", type=UUID, help="only these message ids (default: all)")
    return parser


def line(letter: DeadLetter) -> str:
    message = letter.message
    tenant = str(message.tenant_id) if message.tenant_id else "-"
    fields = (letter.consumer, str(message.id), message.type, tenant, str(letter.attempts))
    return "\t".join((*fields, letter.error))


def declared_consumers() -> list[str]:
    """The names of the consumers the service declares (importing the service declares them)."""
    importlib.import_module(f"{EVENTS.rpartition('.')[0]}.main")
    try:
        consumers = importlib.import_module(f"{EVENTS}.consumers")
    except ModuleNotFoundError:
        return []
    return sorted({declared.name for declared in getattr(consumers, "CONSUMERS", [])})


async def command(
    argv: Sequence[str], settings: Settings, consumers: Sequence[str] | None = None
) -> int:
    """Run the command line `argv`; return the exit status."""
    args = parser().parse_args(argv)
    names = [args.consumer] if args.consumer else list(consumers or declared_consumers())
    if not names:
        print("No consumer is declared: name one with --consumer.", file=sys.stderr)
        return 2
    try:
        async with open_broker(settings) as broker:
            for name in names:
                if args.command == "list":
                    for letter in await broker.dead_letters(name, limit=args.limit):
                        print(line(letter))
                else:
                    count = await broker.replay(name, args.ids or None)
                    print(f"{name}: replayed {count}")
    except BrokerUnavailable as error:
        print(f"The broker is unavailable: {error}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    from ..settings import get_settings

    sys.exit(asyncio.run(command(sys.argv[1:], get_settings())))


if __name__ == "__main__":
    main()
