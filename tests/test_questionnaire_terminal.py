"""The questionnaire as a person uses it: `copier copy` in a real terminal, answered key by key.

Copier runs in a pseudo-terminal of 80 columns and its output goes through a terminal emulator
(pyte), so the tests read the screen a person reads: the question, its default, the highlighted
choice, the reason an answer was refused. Every question they see is checked to be readable
there: no row cut at the screen edge, its help and its choices shown in full. Keys are what a person presses: arrows and Enter in a menu, space to
tick a box, Ctrl-U to clear a prefilled answer.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pexpect
import pyte
import pytest
import yaml
from wcwidth import wcswidth

from hooks.decisions import problems, recommend, recommend_settings
from hooks.extension import REASON_ABOVE
from hooks.model import Context
from tests.conftest import REPO, copy_on_the_command_line

COLUMNS, LINES = 80, 50  # the narrowest usual terminal: every text must be readable in it
TIMEOUT = 30.0  # seconds for any one thing to appear; CI has two loaded cores
STARTUP_TIMEOUT = 90.0  # Copier copies the template and starts before the first question
FINISH_TIMEOUT = 120.0  # rendering and writing the whole service after the last answer

QMARK = "🎤"  # Copier's mark before each question
POINTER = "»"  # questionary's mark on the highlighted choice of a menu
TICKED, UNTICKED = "● ", "○ "  # questionary's boxes in a checklist
YES_NO, NO_YES = "(Y/n)", "(y/N)"  # questionary's hint on a yes/no question, default first
DOWN, UP, ENTER, SPACE = "\x1b[B", "\x1b[A", "\r", " "
END_OF_LINE, CLEAR_LINE = "\x05", "\x15"  # Ctrl-E, Ctrl-U

# The questions a person is asked: settings (`_...`), named conditions (`when: false`) and
# answers that are never asked (`ask: false`: a decision with one answer, the derived tenancy
# mode) are not.
COPIER_YML: dict[str, Any] = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
QUESTIONS: dict[str, dict[str, Any]] = {
    name: spec
    for name, spec in COPIER_YML.items()
    if not name.startswith("_") and spec.get("when") is not False and spec.get("ask") is not False
}
NOT_ASKED = [
    name
    for name, spec in COPIER_YML.items()
    if not name.startswith("_") and spec.get("ask") is False
]
ORDER = list(QUESTIONS)
DECISIONS = ORDER[ORDER.index("team_stack") + 1 :]  # asked after the context assessment
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")


def titles(name: str) -> dict[Any, str]:
    """The title shown for each value of a question with choices."""
    choices = QUESTIONS[name]["choices"].items()
    return {value["value"] if isinstance(value, dict) else value: title for title, value in choices}


def help_lines(name: str) -> list[str]:
    """The rows of question `name`'s help as written, up to any Jinja (rendered when asked)."""
    return str(COPIER_YML[name]["help"]).split("{")[0].splitlines()


def title_start(name: str) -> str:
    """How the title of question `name` begins on screen: the first row of its help."""
    return help_lines(name)[0].rstrip()


def squashed(text: str) -> str:
    """Text without its spacing: rows wrap where words end, so compare the words alone."""
    return "".join(text.split())


def problem(answers: dict[str, Any]) -> str:
    """What the decision model says about these answers (one problem expected)."""
    (found,) = problems(answers)
    return found.message


def typed_refusal(answers: dict[str, Any]) -> str:
    """What Copier shows under a typed answer the model refuses: its brief form, on one row."""
    (found,) = problems(answers)
    assert found.brief, f"{found.field}: a typed answer's refusal needs a brief form"
    return found.brief


class _Screen(pyte.Screen):
    """A terminal screen that answers the cursor-position requests prompt_toolkit sends."""

    def __init__(self, child: pexpect.spawn[str]) -> None:
        super().__init__(COLUMNS, LINES)
        self._child = child

    def write_process_input(self, data: str) -> None:
        self._child.send(data)


class Questionnaire:
    """`copier copy` of this template in a 200x50 terminal, driven as a person would."""

    def __init__(self, destination: Path) -> None:
        self.destination = destination
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"COLUMNS", "LINES", "NO_COLOR", "VIRTUAL_ENV"}
        }
        environment["TERM"] = "xterm-256color"
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "copier", "copy", "--trust", "--vcs-ref", "HEAD", str(REPO), str(destination)],
            cwd=str(REPO),
            env=environment,
            dimensions=(LINES, COLUMNS),
            encoding="utf-8",
            codec_errors="replace",
        )
        self.screen = _Screen(self.child)
        self._stream = pyte.Stream(self.screen)
        self._output: list[str] = []
        self._titles_seen: set[str] = set()  # every question title the screen has shown
        self._last: str | None = None  # the last question put to the person

    # ── What the person sees ────────────────────────────────────────────────
    @property
    def transcript(self) -> str:
        """Everything written to the terminal so far, without escape sequences."""
        return ANSI.sub("", "".join(self._output))

    def lines(self) -> list[str]:
        """The screen as text, one string per row."""
        return [line.rstrip() for line in self.screen.display]

    def shown(self) -> str:
        """The screen as a person reads it, for failure messages."""
        return "\n".join(self.lines()).strip("\n")

    def asked(self, name: str) -> bool:
        """Whether question `name` was ever put on the screen."""
        return any(title.startswith(f"{QMARK} {title_start(name)}") for title in self._titles_seen)

    def _between_frames(self) -> bool:
        return pyte.modes.DECAWM in self.screen.mode

    def _current(self) -> list[str]:
        """The rows of the question on screen now: its title row and everything below it."""
        rows = self.lines()
        titles_at = [i for i, row in enumerate(rows) if row.startswith(QMARK)]
        return rows[titles_at[-1] :] if titles_at else []

    def _current_is(self, name: str) -> bool:
        current = self._current()
        return bool(current) and current[0].startswith(f"{QMARK} {title_start(name)}")

    def _choices(self) -> list[tuple[bool, str]]:
        """The rows of the menu on screen: whether each is highlighted, and its text."""
        pointed, plain = f" {POINTER} ", "   "
        rows = self._current()[1:]
        return [(row[:3] == pointed, row[3:]) for row in rows if row[:3] in {pointed, plain}]

    def _pointed(self) -> str:
        """The title of the highlighted choice of the menu on screen ("" when none)."""
        texts = [text for pointed, text in self._choices() if pointed]
        return texts[0].removeprefix(UNTICKED).removeprefix(TICKED) if texts else ""

    def _refused(self, title: str) -> bool:
        """Whether the menu shows the choice greyed out, with its reason, so it cannot be picked."""
        return any(text.startswith(f"- {title}") for _, text in self._choices())

    def _ticked(self, title: str) -> bool:
        """Whether the checklist on screen shows the box of `title` ticked."""
        return f"{TICKED}{title}" in [text for _, text in self._choices()]

    def _answer_rows(self, name: str) -> list[str]:
        """The rows below the help of question `name` (a text question's prefilled answer)."""
        return self._current()[len(help_lines(name)) :]

    def _drawn(self, name: str) -> bool:
        """Question `name` is fully drawn and waiting for keys."""
        if not self._current_is(name):
            return False
        spec = QUESTIONS[name]
        if "choices" in spec:
            return bool(self._pointed())
        if spec["type"] == "bool":
            return any(YES_NO in row or NO_YES in row for row in self._current())
        return len(self._answer_rows(name)) > 0

    def check_readable(self, name: str) -> None:
        """Fail unless question `name` is readable on this screen as written in copier.yml.

        No row reaches the screen edge (prompt_toolkit cuts a row there), the help is on screen
        word for word, and each choice shows its whole title; a greyed-out choice shows its
        title and a short note, its reason being under the title, where `expect_problem` finds
        it in full.
        """
        current = self._current()
        cut = [row for row in current if wcswidth(row) >= COLUMNS]
        assert not cut, f"'{name}': rows cut at {COLUMNS} columns: {cut}\n{self.shown()}"
        shown = squashed("".join(current))
        assert squashed("".join(help_lines(name))) in shown, f"'{name}' help:\n{self.shown()}"
        if "choices" not in QUESTIONS[name]:
            return
        expected = list(titles(name).values())
        rows = [text.removeprefix(TICKED).removeprefix(UNTICKED) for _, text in self._choices()]
        rows = [row for row in rows if not row.startswith("(")]  # questionary's instructions
        greyed = {row[2:].removesuffix(f" ({REASON_ABOVE})") for row in rows if row[:2] == "- "}
        plain = [row for row in rows if row[:2] != "- "]
        assert sorted([*plain, *greyed]) == sorted(expected), f"'{name}' choices:\n{self.shown()}"

    # ── Waiting ─────────────────────────────────────────────────────────────
    def _read(self, timeout: float) -> bool:
        """Feed what the program writes within `timeout` to the screen; False once it exits."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self._output.append(data)
        self._stream.feed(data)
        self._titles_seen.update(row for row in self.lines() if row.startswith(QMARK))
        return True

    def wait_until(
        self,
        condition: Callable[[], bool],
        what: str,
        timeout: float = TIMEOUT,
        *,
        whole_frames: bool = True,
    ) -> None:
        """Read the terminal until `condition` holds; fail showing the screen if it never does.

        With `whole_frames`, the screen is judged only between redraws: prompt_toolkit turns the
        terminal's line wrapping off while it draws a frame and back on when the frame is done.
        """
        deadline = time.monotonic() + timeout
        running = True
        while (whole_frames and not self._between_frames()) or not condition():
            if not running:
                pytest.fail(f"copier exited before {what}. The screen:\n{self.shown()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout:.0f} s. The screen:\n{self.shown()}")
            running = self._read(0.1)

    def expect_question(self, name: str) -> None:
        """Wait until question `name` is on screen, drawn and waiting for an answer."""
        timeout = STARTUP_TIMEOUT if self._last is None else TIMEOUT
        self.wait_until(lambda: self._drawn(name), f"question '{name}'", timeout)
        self.check_readable(name)
        self._last = name

    def expect_problem(self, name: str, message: str) -> None:
        """Wait until `message` is shown while question `name` is still the one asked."""
        # Long lines wrap anywhere, even inside a word: compare the text without its spacing.
        wanted = "".join(message.split())

        def explained() -> bool:
            if not self._current_is(name):
                pytest.fail(
                    f"question '{name}' was left without the explanation {message!r}. "
                    f"The screen:\n{self.shown()}"
                )
            return wanted in "".join("".join(self._current()).split())

        self.wait_until(explained, f"explanation under question '{name}': {message!r}")
        cut = [row for row in self._current() if wcswidth(row) >= COLUMNS]
        assert not cut, f"'{name}': explanation cut at {COLUMNS} columns:\n{self.shown()}"

    # ── Answering ───────────────────────────────────────────────────────────
    def shown_default(self, name: str) -> Any:
        """The answer question `name` offers before the person touches a key, as a value."""
        self.expect_question(name)
        spec = QUESTIONS[name]
        current = self._current()
        by_title = (
            {title: value for value, title in titles(name).items()} if "choices" in spec else {}
        )
        if spec.get("multiselect", False):
            ticked = [text for _, text in self._choices() if text.startswith(TICKED)]
            return [by_title[text.removeprefix(TICKED)] for text in ticked]
        if "choices" in spec:
            return by_title[self._pointed()]
        if spec["type"] == "bool":
            return any(YES_NO in row for row in current)
        shown = self._answer_rows(name)[0].strip()
        return int(shown) if spec["type"] == "int" else shown

    def accept_default(self, name: str) -> Any:
        """Press Enter on question `name`; return the default that was accepted."""
        default = self.shown_default(name)
        self.child.send(ENTER)
        return default

    def accept_remaining_defaults(self) -> dict[str, Any]:
        """Press Enter on every question still to come; return the defaults accepted.

        Only the questions Copier asks are answered: one hidden by its `when` is not in the
        result.
        """
        accepted: dict[str, Any] = {}
        while True:
            self.wait_until(
                lambda: self._next_drawn() is not None or not self.child.isalive(),
                "next question or end of copier",
                FINISH_TIMEOUT,
            )
            name = self._next_drawn()
            if name is None:
                return accepted
            accepted[name] = self.accept_default(name)

    def _next_drawn(self) -> str | None:
        """The question after the last one put to the person, once it is drawn."""
        later = ORDER[ORDER.index(self._last) + 1 :] if self._last else ORDER
        return next((name for name in later if self._drawn(name)), None)

    def answer_text(self, name: str, text: str) -> None:
        """Clear the prefilled answer of question `name`, type `text` and press Enter."""
        self.expect_question(name)
        self.child.send(END_OF_LINE + CLEAR_LINE)
        self.wait_until(
            lambda: self._answer_rows(name)[:1] == [""], f"question '{name}' cleared by Ctrl-U"
        )
        self.child.send(text)
        self.wait_until(
            lambda: self._answer_rows(name)[:1] == [f"   {text}"],
            f"'{text}' typed into '{name}'",
        )
        self.child.send(ENTER)

    def _move_to(self, name: str, value: Any) -> None:
        """Press arrows, one at a time, until the choice of `value` is highlighted."""
        self.expect_question(name)
        title = titles(name)[value]
        order = list(titles(name).values())
        while (before := self._pointed()) != title:
            self.child.send(DOWN if order.index(title) > order.index(before) else UP)
            self.wait_until(lambda: self._pointed() != before, f"menu '{name}' to move")

    def choose(self, name: str, value: Any) -> None:
        """Highlight the choice of `value` in the menu of question `name` and press Enter."""
        self._move_to(name, value)
        self.child.send(ENTER)

    def try_to_choose(self, name: str, value: Any) -> None:
        """Choose `value`, unless the menu shows it greyed out so that it cannot be picked."""
        self.expect_question(name)
        if not self._refused(titles(name)[value]):
            self.choose(name, value)

    def tick(self, name: str, values: list[Any]) -> None:
        """Tick the boxes of `values` in the checklist of question `name` and press Enter."""
        for value in values:
            self._move_to(name, value)
            title = titles(name)[value]
            self.child.send(SPACE)
            self.wait_until(partial(self._ticked, title), f"box {title!r} ticked")
        self.child.send(ENTER)

    def finish(self) -> dict[str, Any]:
        """Wait for Copier to write the project; return its answers file (Copier's keys aside)."""
        self.wait_until(
            lambda: not self.child.isalive(), "end of copier", FINISH_TIMEOUT, whole_frames=False
        )
        while self._read(0.1):
            pass
        self.child.close()
        assert self.child.exitstatus == 0, f"copier failed:\n{self.transcript[-4000:]}"
        answers_file = self.destination / ".copier-answers.yml"
        assert answers_file.is_file(), f"no answers file:\n{self.transcript[-4000:]}"
        answers: dict[str, Any] = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
        return {key: value for key, value in answers.items() if not key.startswith("_")}

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close()


@pytest.fixture
def questionnaire(tmp_path: Path) -> Iterator[Questionnaire]:
    session = Questionnaire(tmp_path / "service")
    try:
        yield session
    finally:
        session.close()


IDENTITY = [
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
]


def test_the_decisions_offer_what_the_model_recommends_for_the_context(
    questionnaire: Questionnaire,
) -> None:
    q = questionnaire
    identity = {name: q.accept_default(name) for name in IDENTITY}
    q.choose("scale", "large")
    q.choose("read_write", "read_heavy")
    q.answer_text("latency_p99_ms", "50")
    q.choose("consistency", "eventual")
    q.choose("tenancy_need", "multi_shared")
    q.choose("expected_tenants", "thousands")
    q.tick("compliance", ["audit_trail"])
    q.choose("team_stack", "go")
    context = Context(
        scale="large",
        read_write="read_heavy",
        latency_p99_ms=50,
        consistency="eventual",
        tenancy_need="multi_shared",
        expected_tenants="thousands",
        compliance=("audit_trail",),
        team_stack="go",
    )

    offered = q.accept_remaining_defaults()
    answers = q.finish()

    recommended = {**recommend(context), **recommend_settings(context)}
    assert recommended["cache"] == "redis", "this context should bring the cache TTL question"
    assert list(offered) == DECISIONS, "every decision, and the cache TTL, is asked in order"
    assert q.asked("cache_ttl_seconds")
    assert offered == {name: value for name, value in recommended.items() if name in offered}
    # A decision with one answer, and the tenancy mode the tenancy question named, are never
    # asked, and recorded all the same.
    assert set(NOT_ASKED) == {"stack", "tenancy", "pagination", "primary_key"}
    assert not any(q.asked(name) for name in NOT_ASKED)
    assert {name: answers[name] for name in NOT_ASKED} == {
        "stack": "fastapi",
        "tenancy": "shared",
        "pagination": "cursor",
        "primary_key": "uuid7",
    }
    assert answers == {
        **identity,
        "scale": "large",
        "read_write": "read_heavy",
        "latency_p99_ms": 50,
        "consistency": "eventual",
        "tenancy_need": "multi_shared",
        "expected_tenants": "thousands",
        "compliance": ["audit_trail"],
        "team_stack": "go",
        **recommended,
    }


def test_a_wrong_slug_is_explained_and_a_question_that_does_not_apply_is_not_asked(
    questionnaire: Questionnaire,
) -> None:
    q = questionnaire
    q.accept_default("project_name")
    q.answer_text("project_slug", "Bad Slug")
    q.expect_problem("project_slug", typed_refusal({"project_slug": "Bad Slug"}))
    q.answer_text("project_slug", "billing-service")
    package_name = q.accept_default("package_name")
    for name in ["description", "author_name", "author_email"]:
        q.accept_default(name)
    q.choose("scale", "growth")
    for name in ["read_write", "latency_p99_ms", "consistency", "tenancy_need", "compliance"]:
        q.accept_default(name)
    q.accept_default("team_stack")
    assert q.accept_default("auth") == "jwt"  # asked: built-in users or an identity provider
    assert q.shown_default("cache") == "redis", "growth scale should recommend a cache"
    q.choose("cache", "none")
    after_cache = q.accept_remaining_defaults()
    answers = q.finish()

    assert package_name == "billing_service"
    assert "cache_ttl_seconds" not in after_cache
    assert not q.asked("cache_ttl_seconds")
    assert not q.asked("expected_tenants"), "a single tenant is not asked for a tenant count"
    assert "soft_delete" in after_cache
    assert answers["project_slug"] == "billing-service"
    assert answers["package_name"] == "billing_service"
    assert answers["scale"] == "growth"
    assert answers["cache"] == "none"
    assert "cache_ttl_seconds" not in answers


def test_what_the_tenancy_answer_cannot_serve_is_greyed_out_with_its_reason(
    questionnaire: Questionnaire,
) -> None:
    q = questionnaire
    for name in [*IDENTITY, "scale", "read_write", "latency_p99_ms", "consistency"]:
        q.accept_default(name)
    q.choose("tenancy_need", "multi_schema")
    q.expect_question("expected_tenants")
    assert q._refused(titles("expected_tenants")["more"]), "a schema each past 10,000 tenants"
    q.expect_problem(
        "expected_tenants", problem({"tenancy_need": "multi_schema", "expected_tenants": "more"})
    )
    q.choose("expected_tenants", "thousands")
    q.expect_question("compliance")
    assert q._refused(titles("compliance")["tenant_separation"]), "dedicated storage is refused"
    refusal = problem({"tenancy_need": "multi_schema", "compliance": ["tenant_separation"]})
    q.expect_problem("compliance", refusal)
    q.tick("compliance", ["audit_trail"])
    q.accept_remaining_defaults()
    answers = q.finish()

    assert answers["tenancy_need"] == "multi_schema"
    assert answers["expected_tenants"] == "thousands"
    assert answers["compliance"] == ["audit_trail"]
    assert answers["tenancy"] == "schema", "the mode the tenancy question named"


def test_a_single_tenant_is_not_offered_dedicated_storage(questionnaire: Questionnaire) -> None:
    q = questionnaire
    for name in [*IDENTITY, "scale", "read_write", "latency_p99_ms", "consistency"]:
        q.accept_default(name)
    q.accept_default("tenancy_need")
    q.expect_question("compliance")
    assert q._refused(titles("compliance")["tenant_separation"])
    q.expect_problem(
        "compliance", problem({"tenancy_need": "single", "compliance": ["tenant_separation"]})
    )


def test_a_team_in_another_stack_learns_at_its_stack_question_that_it_gets_fastapi(
    questionnaire: Questionnaire,
) -> None:
    q = questionnaire
    for name in [*IDENTITY, "scale", "read_write", "latency_p99_ms", "consistency"]:
        q.accept_default(name)
    q.accept_default("tenancy_need")
    q.accept_default("compliance")
    q.expect_question("team_stack")
    screen = squashed("".join(q._current()))
    assert squashed("Groundwork generates FastAPI (Python) services only") in screen
    assert squashed("A TypeScript, Go, Java or other team gets a Python service") in screen
    assert not q.destination.exists(), "said before anything is written"
    q.choose("team_stack", "typescript")
    q.accept_remaining_defaults()
    answers = q.finish()

    assert (answers["team_stack"], answers["stack"]) == ("typescript", "fastapi")
    record = (q.destination / "docs" / "adr" / "0001-stack.md").read_text(encoding="utf-8")
    assert "the team's primary stack is TypeScript" in record


def test_a_bad_answer_given_on_the_command_line_names_the_question_and_writes_nothing(
    tmp_path: Path,
) -> None:
    destination = tmp_path / "service"

    done = copy_on_the_command_line(destination, ["cache=redis", "cache_ttl_seconds=0"])

    assert done.returncode != 0
    first_line = done.stderr.strip().splitlines()[0]
    assert first_line.startswith("--data cache_ttl_seconds=0 is refused: "), done.stderr
    assert problem({"cache_ttl_seconds": 0}) in first_line, done.stderr
    last_line = done.stderr.strip().splitlines()[-1]
    assert "question 'cache_ttl_seconds'" in last_line, done.stderr
    assert problem({"cache_ttl_seconds": 0}) in last_line, done.stderr
    assert not destination.exists()
