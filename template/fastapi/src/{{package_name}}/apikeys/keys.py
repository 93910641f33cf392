"""The key itself: how it is made, read back from a header, and what of it is stored.

A key is `<prefix>.<secret>`. The prefix is a random lookup id, stored as it is and shown in
listings; the secret, 32 bytes from `secrets`, is shown once and stored only as its SHA-256.

Why not argon2, as for passwords: a slow hash protects secrets a person chose, which are few
enough to guess. 256 random bits cannot be guessed however fast the hash is, so a slow one would
only spend tens of milliseconds of CPU on every request a machine makes.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX_BYTES = 8  # 16 hex characters: unique enough to find the row, and not secret
SECRET_BYTES = 32
_FORMAT = re.compile(r"([0-9a-f]{16})\.([A-Za-z0-9_-]{43})")

# Compared with when no key has the prefix, so an unknown prefix costs what a wrong secret does.
_NO_KEY_HASH = hashlib.sha256(b"no key has this prefix").hexdigest()


@dataclass(frozen=True)
class NewKey:
    prefix: str
    secret: str

    @property
    def plaintext(self) -> str:
        """What the client sends in `X-API-Key`; shown once, never stored."""
        return f"{self.prefix}.{self.secret}"

    @property
    def secret_hash(self) -> str:
        return hash_secret(self.secret)


def generate() -> NewKey:
    return NewKey(secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES))


def parse(presented: str) -> tuple[str, str] | None:
    """The prefix and secret of a well-formed key; None for anything else (too long, a NUL, a
    token pasted in the wrong header), refused before the database is asked."""
    found = _FORMAT.fullmatch(presented)
    return (found[1], found[2]) if found else None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_hash: str | None) -> bool:
    """Whether `secret` is the one stored; constant time, whether or not a key was found."""
    same = hmac.compare_digest(hash_secret(secret), stored_hash or _NO_KEY_HASH)
    return same and stored_hash is not None
