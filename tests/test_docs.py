"""The documentation: the generated reference is current, and the site builds with no warning."""

import os
import subprocess
import sys
from pathlib import Path

from hooks.decisions import DECISIONS, recommendation_rules
from scripts import gen_reference

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def test_the_generated_reference_is_current(tmp_path: Path) -> None:
    written = gen_reference.write(tmp_path)

    generated = {path.relative_to(tmp_path).as_posix(): path.read_text() for path in written}
    stale = [
        relative
        for relative, text in generated.items()
        if not (DOCS / relative).is_file() or (DOCS / relative).read_text() != text
    ]
    leftovers = sorted(
        path.relative_to(DOCS).as_posix()
        for path in (DOCS / gen_reference.REFERENCE).glob("*.md")
        if path.relative_to(DOCS).as_posix() not in generated
    )
    assert not stale, (
        f"{', '.join(stale)} in docs/ differ from copier.yml and hooks/; "
        f"regenerate with `{gen_reference.COMMAND}` and commit the result"
    )
    assert not leftovers, (
        f"{', '.join(leftovers)} in docs/{gen_reference.REFERENCE}/ are not generated any more; "
        "delete them (that folder holds only generated pages)"
    )


def test_the_generator_is_deterministic() -> None:
    assert gen_reference.generate() == gen_reference.generate()


def test_every_question_and_decision_is_in_the_reference() -> None:
    pages = gen_reference.generate()
    questionnaire = pages[f"{gen_reference.REFERENCE}/{gen_reference.QUESTIONNAIRE_PAGE}"]
    guide = pages[f"{gen_reference.REFERENCE}/{gen_reference.DECISIONS_PAGE}"]

    for question in gen_reference.load_questions():
        assert f"{{#{question.name}}}" in questionnaire, question.name
        for label, _ in question.choices:
            assert label in questionnaire, (question.name, label)
    for name, decision in DECISIONS.items():
        assert f"{{#{name}}}" in guide, name
        for option in decision.record.options:
            assert all(text in guide for text in (*option.pros, *option.cons)), option.name
    for name, rules in recommendation_rules().items():
        assert all(rule.when in guide for rule in rules), name


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, f"`mkdocs build --strict` failed:\n{done.stdout}\n{done.stderr}"
    assert (tmp_path / "site" / "reference" / "decisions" / "index.html").is_file()
