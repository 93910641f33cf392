"""The password policy: a new password must be hard to guess, as zxcvbn estimates it.

zxcvbn (a maintained package, the estimator Dropbox published) ships the lists of the most common
passwords, names and words, and finds keyboard walks, repeats, sequences and dates; words of the
context (the e-mail, the tenant's name) count as known. A score below `MIN_SCORE` of 0-4 is
refused: `aaaaaaaaaa`, `1234567890`, `password12`, ten spaces, the e-mail itself.
"""

import re
from typing import Any

from zxcvbn import zxcvbn

MIN_SCORE = 3  # "safely unguessable: moderate protection from offline slow-hash scenario"
EVALUATED_LENGTH = 72  # zxcvbn's own bound; its work grows fast with length


def refuse_weak_password(password: str, *context: object) -> None:
    """Raise ValueError (a 422 in a request body) when `password` is too easy to guess."""
    words = [word for word in context if isinstance(word, str) and word]
    words += [part for word in words for part in re.split(r"[^\w]+", word) if len(part) > 2]
    estimate: dict[str, Any] = zxcvbn(password[:EVALUATED_LENGTH], user_inputs=words)
    if int(estimate["score"]) < MIN_SCORE:
        hint = estimate["feedback"]["warning"] or "Add more words or characters."
        raise ValueError(f"This password is too easy to guess. {hint}".strip())
