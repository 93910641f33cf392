"""The shapes a decision is made of: the context, a rule, a refusal, a record, the decision itself.

No decision lives here: each is one module of `hooks/decisions/`, which fills these shapes in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Generic, Literal, TypeVar

Value = str | bool
Scale = Literal["prototype", "growth", "large"]
ReadWrite = Literal["read_heavy", "balanced", "write_heavy"]
Consistency = Literal["strong", "eventual"]
TenancyNeed = Literal["single", "multi_shared", "multi_schema", "multi_database"]
ExpectedTenants = Literal["tens", "thousands", "more"]
TeamStack = Literal["python", "typescript", "go", "jvm", "other"]

V = TypeVar("V")


@dataclass(frozen=True)
class Context:
    """The context answers a recommendation depends on; defaults match the questionnaire."""

    scale: Scale = "prototype"
    read_write: ReadWrite = "balanced"
    latency_p99_ms: int = 200
    consistency: Consistency = "strong"
    tenancy_need: TenancyNeed = "single"
    expected_tenants: ExpectedTenants = "tens"
    compliance: tuple[str, ...] = ()
    team_stack: TeamStack = "python"

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> Context:
        """Build from Copier answers, ignoring other keys and defaulting unanswered ones."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in answers.items() if key in known}
        if "latency_p99_ms" in values:
            values["latency_p99_ms"] = int(values["latency_p99_ms"])
        if "compliance" in values:
            values["compliance"] = compliance(values)
        return cls(**values)


def compliance(answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The compliance answer as a tuple: Copier gives a list, a command line a lone string."""
    given = answers.get("compliance", ())
    return (given,) if isinstance(given, str) else tuple(given)


@dataclass(frozen=True)
class Problem:
    """Why an answer is refused, attached to the question that must change.

    `brief` is the refusal in a few words, for a typed answer refused while the questionnaire
    runs: Copier shows it on one row under the answer, after "Validation error for question
    '<name>': ", and a longer message is cut at the screen edge. The question's help states the
    rule in full. A `--data` answer gets the whole `message`.
    """

    field: str
    message: str
    brief: str = ""


@dataclass(frozen=True)
class Rule(Generic[V]):
    """Recommend `value` when `holds` for the context, because of `reason`.

    A decision's rules are read in order and the first that holds decides, so the code that
    recommends and the docs that explain read the same rules. `when` is the condition in words,
    for the docs; `thresholds` names the numbers `holds` compares a context answer with, so the
    docs can show the recommendation on both sides of each.
    """

    when: str
    holds: Callable[[Context], bool]
    value: V
    reason: str | Callable[[Context], str]
    thresholds: Mapping[str, int] = field(default_factory=dict)

    def reason_for(self, context: Context) -> str:
        """The reason sentence, with this context's figures where it quotes them."""
        return self.reason if isinstance(self.reason, str) else self.reason(context)


def always(context: Context) -> bool:
    """The condition of a last rule, which decides when no earlier rule holds."""
    return True


def otherwise(value: V, reason: str | Callable[[Context], str]) -> Rule[V]:
    """The last rule of a decision: the value when no earlier rule holds, or the only value."""
    return Rule("otherwise", always, value, reason)


def deciding(rules: Sequence[Rule[V]], context: Context) -> Rule[V]:
    """The first rule that holds for the context."""
    return next(rule for rule in rules if rule.holds(context))


@dataclass(frozen=True)
class Setting:
    """A setting asked only with its decision's value, such as the cache TTL."""

    name: str
    rules: tuple[Rule[int], ...]


@dataclass(frozen=True)
class Option:
    """One option an architect weighs; `value` is its answer code, offered or not yet."""

    value: Value
    name: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """What a decision's ADR says, apart from the context and the verdict the answers give."""

    title: str
    context_fields: tuple[str, ...]
    options: tuple[Option, ...]
    consequences: Callable[[Value, Mapping[str, Any]], list[str]]


def no_refusals(answers: Mapping[str, Any]) -> list[Problem]:
    """The refusals of a decision every combination of answers can use."""
    return []


@dataclass(frozen=True)
class Decision:
    """One architecture decision: the values it offers, how it recommends, refuses and records.

    Each module of `hooks/decisions/` builds one. An attribute with a default added here (what a
    value brings to a stack, say) is filled in by the modules that need it and no other.
    """

    name: str
    values: tuple[Value, ...]  # implemented, in the questionnaire's order
    rules: tuple[Rule[Value], ...]
    record: Record
    refusals: Callable[[Mapping[str, Any]], list[Problem]] = no_refusals
    settings: tuple[Setting, ...] = ()

    def recommend(self, context: Context) -> Value:
        return deciding(self.rules, context).value

    def reason(self, context: Context) -> str:
        return deciding(self.rules, context).reason_for(context)

    def problems(self, answers: Mapping[str, Any]) -> list[Problem]:
        """A value the template does not render yet, then the combinations this decision refuses."""
        found = []
        if self.name in answers and answers[self.name] not in self.values:
            choices = ", ".join(show_value(value) for value in self.values)
            found.append(
                Problem(
                    self.name,
                    f"{self.name} '{show_value(answers[self.name])}' is not implemented yet; "
                    f"choose one of: {choices}.",
                )
            )
        return found + self.refusals(answers)


def show_value(value: Any) -> str:
    """An answer as it appears in the answers file (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
