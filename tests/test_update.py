"""`copier update` carries a later release into a service generated from an earlier one.

Releases are git tags with PEP 440 versions, so each test module builds its own template
repository in a temporary folder: this working tree (committed or not, without caches) is
committed and tagged `0.1.0`, then the changes a later release would make are committed and
tagged `0.2.0`. A service is rendered at `0.1.0`, committed, edited as its team would edit it,
committed again, and updated to `0.2.0` with `copier.run_update`.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import copier
import pytest
import yaml

from hooks import migrate_answers
from hooks.decisions import tenancy
from tests.conftest import REPO, run

EARLIER = "0.1.0"
LATER = "0.2.0"
ANSWERS = {"project_name": "Update Probe"}
PACKAGE = "update_probe"
SETTINGS = Path("src", PACKAGE, "config.py")  # the settings every module shares
TOKEN_SETTINGS = Path("src", PACKAGE, "auth", "settings.py")
ROUTER = Path("src", PACKAGE, "projects", "router.py")
ANSWERS_FILE = ".copier-answers.yml"

# What a release is made of: the tree as it is, without tool caches or environments.
_NOT_RELEASED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.py[co]", ".mypy_cache", ".pytest_cache", ".ruff_cache"
)
# Git's conflict markers at the start of a line (Copier labels them "before/after updating").
_MARKER = re.compile(r"^(?:<{7}|>{7}|\|{7})(?: |$)|^={7}$", re.MULTILINE)

# ── The later release: a template change of each kind a real release makes ─────────────────

_README_LINE = "On-call notes: [docs/runbook.md](docs/runbook.md)."
_RUNBOOK = "# Runbook\n\nWhat to check first when the service misbehaves.\n"
_LOG_LEVEL = '    log_level: str = "INFO"\n'
_LOG_LEVEL_LATER = (
    '    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"\n'
    "    shutdown_grace_seconds: float = Field(default=10, gt=0)\n"
)
# The service's dependencies are listed with the parts that need them (hooks/stacks/).
_DEV_DEPENDENCY = '            "pytest-asyncio>=1.2",\n'
_DEV_DEPENDENCY_LATER = '            "pytest-asyncio>=1.2",\n            "pytest-timeout>=2.4",\n'

# ── The team's own edits to the generated service ───────────────────────────────────────────

_USER_ROUTE = """

@router.get("/{project_id}/summary")
async def summarize_project(project_id: UUID, session: DbSession) -> dict[str, str]:
    project = await service.get_project(session, project_id)
    return {"id": str(project.id), "name": project.name}
"""
_TOKEN_MINUTES = "access_token_minutes: int = Field(default=10, ge=1, le=60)"
_TOKEN_MINUTES_USER = "access_token_minutes: int = Field(default=15, ge=1, le=60)"
_DEPENDENCY = '    "limits>=5.0",\n'
_DEPENDENCY_USER = '    "limits>=5.0",\n    "orjson>=3.11",\n'


def git(cwd: Path, *arguments: str) -> str:
    """Run git with a fixed identity and no user or system configuration; fail on error."""
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Groundwork Tests",
        "GIT_AUTHOR_EMAIL": "tests@groundwork.invalid",
        "GIT_COMMITTER_NAME": "Groundwork Tests",
        "GIT_COMMITTER_EMAIL": "tests@groundwork.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *arguments], cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(arguments)} in {cwd}:\n{done.stderr}"
    return done.stdout


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old`; fail loudly if the file no longer has it."""
    text = path.read_text()
    assert text.count(old) == 1, f"{path} no longer holds {old!r} once: update this test"
    path.write_text(text.replace(old, new))


def release(repo: Path, tag: str) -> None:
    """Commit the whole tree of the template repository and tag it as a release."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", f"Release {tag}")
    git(repo, "tag", "-a", tag, "-m", f"Release {tag}")


def template_repository(destination: Path) -> Path:
    """A git repository holding this working tree exactly as it is now, with no commit yet."""
    shutil.copytree(REPO, destination, ignore=_NOT_RELEASED, symlinks=True)
    git(destination, "init", "-q", "-b", "main")
    return destination


def load_copier_yml(repo: Path) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((repo / "copier.yml").read_text())
    return config


def dump_copier_yml(repo: Path, config: Mapping[str, Any]) -> None:
    (repo / "copier.yml").write_text(yaml.safe_dump(dict(config), sort_keys=False))


def generate(template: Path, destination: Path, data: Mapping[str, Any]) -> Path:
    """Render the earlier release and commit it, as a team starting a service would."""
    copier.run_copy(
        str(template),
        destination,
        vcs_ref=EARLIER,
        data=dict(data),
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    git(destination, "init", "-q", "-b", "main")
    commit(destination, "Generate the service")
    return destination


def commit(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def update(project: Path, ref: str, conflict: Literal["inline", "rej"] = "inline") -> None:
    copier.run_update(
        project,
        vcs_ref=ref,
        defaults=True,
        unsafe=True,
        overwrite=True,
        quiet=True,
        conflict=conflict,
    )


def answers(project: Path) -> dict[str, Any]:
    recorded: dict[str, Any] = yaml.safe_load((project / ANSWERS_FILE).read_text())
    return recorded


def project_files(project: Path) -> Iterator[Path]:
    for path in sorted(project.rglob("*")):
        if path.is_file() and not {".git", ".venv"} & set(path.relative_to(project).parts):
            yield path


def leftovers(project: Path) -> list[str]:
    """Conflict markers and .rej files, found independently of the project's own check."""
    found = []
    for path in project_files(project):
        relative = path.relative_to(project).as_posix()
        if path.suffix == ".rej":
            found.append(relative)
        elif _MARKER.search(path.read_text(errors="replace")):
            found.append(f"{relative}: conflict markers")
    return found


def check_update(project: Path) -> subprocess.CompletedProcess[str]:
    """The generated project's own leftover check, as `make check-update` runs it."""
    return subprocess.run(
        [sys.executable, "scripts/check_update.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def unmerged(project: Path) -> set[str]:
    """Paths git's index records as unmerged (conflict stages 1-3)."""
    return {line.split("\t", 1)[1] for line in git(project, "ls-files", "-u").splitlines()}


@pytest.fixture(autouse=True)
def _hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copier's own git calls ignore the user's configuration (hooks, signing, merge style)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Template repository: the working tree as `0.1.0`, and a `0.2.0` that changes it."""
    repo = template_repository(tmp_path_factory.mktemp("releases") / "groundwork")
    release(repo, EARLIER)
    template = repo / "template" / "fastapi"
    # A line in the generated README, a new file, a changed and a new setting, a dev dependency.
    readme = template / "README.md.jinja"
    readme.write_text(readme.read_text() + f"\n{_README_LINE}\n")
    (template / "docs" / "runbook.md").write_text(_RUNBOOK)
    edit(template / "src" / "{{package_name}}" / "config.py", _LOG_LEVEL, _LOG_LEVEL_LATER)
    edit(repo / "hooks" / "stacks" / "fastapi.py", _DEV_DEPENDENCY, _DEV_DEPENDENCY_LATER)
    release(repo, LATER)
    return repo


def test_update_brings_the_release_and_keeps_the_teams_edits(
    releases: Path, tmp_path: Path
) -> None:
    project = generate(releases, tmp_path / "service", ANSWERS)
    assert answers(project)["_commit"] == EARLIER
    dotenv = (project / ".env").read_text()
    with (project / ROUTER).open("a") as router:
        router.write(_USER_ROUTE)
    edit(project / TOKEN_SETTINGS, _TOKEN_MINUTES, _TOKEN_MINUTES_USER)
    edit(project / "pyproject.toml", _DEPENDENCY, _DEPENDENCY_USER)
    commit(project, "A summary route, longer access tokens, orjson")

    update(project, LATER)

    assert leftovers(project) == []
    assert unmerged(project) == set()
    assert answers(project)["_commit"] == LATER
    # The team's edits survive ...
    router_code = (project / ROUTER).read_text()
    settings_code = (project / SETTINGS).read_text()
    token_code = (project / TOKEN_SETTINGS).read_text()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert router_code.endswith(_USER_ROUTE)
    assert _TOKEN_MINUTES_USER in token_code and _TOKEN_MINUTES not in token_code
    assert "orjson>=3.11" in pyproject["project"]["dependencies"]
    # ... the release arrives ...
    assert _LOG_LEVEL_LATER in settings_code
    assert "pytest-timeout>=2.4" in pyproject["dependency-groups"]["dev"]
    assert (project / "README.md").read_text().endswith(f"\n{_README_LINE}\n")
    assert (project / "docs" / "runbook.md").read_text() == _RUNBOOK
    # ... the merged code still parses, the secrets of .env are kept, the project's check passes.
    for path in project_files(project):
        if path.suffix == ".py":
            ast.parse(path.read_text(), filename=str(path))
    assert (project / ".env").read_text() == dotenv
    checked = check_update(project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The team's lock is relocked, not replaced: it holds their dependency and the release's.
    lock = (project / "uv.lock").read_text()
    assert 'name = "orjson"' in lock and 'name = "pytest-timeout"' in lock
    run(["uv", "lock", "--check"], project)
    # Copier leaves the result for review: changed, not committed.
    assert git(project, "status", "--porcelain").strip()


@pytest.mark.parametrize("conflict", ["inline", "rej"])
def test_a_conflicting_edit_is_reported_and_fails_the_projects_check(
    releases: Path, tmp_path: Path, conflict: Literal["inline", "rej"]
) -> None:
    project = generate(releases, tmp_path / "service", ANSWERS)
    # The release rewrites this very line.
    edit(project / SETTINGS, _LOG_LEVEL, _LOG_LEVEL.replace('"INFO"', '"DEBUG"'))
    commit(project, "Debug logs by default")

    update(project, LATER, conflict=conflict)  # returns normally: conflicts are not errors

    settings = SETTINGS.as_posix()
    checked = check_update(project)
    assert checked.returncode == 1
    reported = checked.stdout.splitlines()
    if conflict == "inline":
        assert leftovers(project) == [f"{settings}: conflict markers"]
        assert unmerged(project) == {settings}
        text = (project / SETTINGS).read_text()
        assert '<<<<<<< before updating\n    log_level: str = "DEBUG"\n=======\n' in text
        assert text.count(">>>>>>> after updating\n") == 1
        assert [line.split(":")[0] for line in reported] == [settings] * 3
        assert reported[0].endswith(": conflict marker '<<<<<<< before updating'")
    else:
        assert leftovers(project) == [f"{settings}.rej"]
        assert reported == [
            f"{settings}.rej:1: rejected change: merge it by hand, then delete the file"
        ]
        # The file takes the release's line; the team's line survives only in the .rej file.
        assert _LOG_LEVEL_LATER in (project / SETTINGS).read_text()
        assert '+    log_level: str = "DEBUG"' in (project / f"{settings}.rej").read_text()
    assert "copier update" in checked.stderr
    # Everything that did not conflict arrived anyway.
    assert (project / "README.md").read_text().endswith(f"\n{_README_LINE}\n")
    assert answers(project)["_commit"] == LATER


# ── Renamed questions: `_migrations` rewrite old answers files before the update ────────────

_RENAME_SCRIPT = '''\
"""Copier migration: rename an answer. Usage: rename_answer.py ANSWERS_FILE OLD NEW."""

import sys
from pathlib import Path

import yaml  # Copier depends on PyYAML, and this runs under Copier's interpreter

path, old, new = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
text = path.read_text()
answers = yaml.safe_load(text)
if old in answers and new not in answers:
    answers[new] = answers.pop(old)
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    path.write_text(header + yaml.safe_dump(answers, sort_keys=False))
'''
_RENAME_MIGRATION = {
    "version": LATER,
    "when": "{{ _stage == 'before' }}",
    # A list runs without a shell; Copier's interpreter needs no `python` on PATH.
    "command": [
        "{{ _copier_python }}",
        "{{ _copier_conf.src_path }}/hooks/rename_answer.py",
        "{{ _copier_conf.answers_file }}",
        "ci_provider",
        "ci",
    ],
}
FORGOTTEN_MIGRATION = "0.1.1"


@pytest.fixture(scope="module")
def renamed_releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Template repository whose `ci` question was called `ci_provider` until `0.2.0`.

    `0.1.0` asks `ci_provider` and computes `ci` from it (`when: false`: never asked, never
    recorded), so the templates are untouched. `0.1.1` asks `ci` and forgets the migration;
    `0.2.0` asks `ci` and migrates old answers files. /work/main itself has no renamed
    question yet, so the rename and its migration live only in this temporary copy.
    """
    repo = template_repository(tmp_path_factory.mktemp("renamed") / "groundwork")
    current = load_copier_yml(repo)
    assert "ci" in current and "_migrations" in current, "update this test"
    earlier: dict[str, Any] = {}
    for key, value in current.items():
        if key == "ci":
            earlier["ci_provider"] = value
            earlier["ci"] = {"type": "str", "default": "{{ ci_provider }}", "when": False}
        else:
            earlier[key] = value
    dump_copier_yml(repo, earlier)
    release(repo, EARLIER)
    dump_copier_yml(repo, current)
    release(repo, FORGOTTEN_MIGRATION)
    (repo / "hooks" / "rename_answer.py").write_text(_RENAME_SCRIPT)
    dump_copier_yml(repo, {**current, "_migrations": [*current["_migrations"], _RENAME_MIGRATION]})
    release(repo, LATER)
    return repo


def test_a_migration_carries_a_renamed_answer_across_the_update(
    renamed_releases: Path, tmp_path: Path
) -> None:
    # "none" differs from the recommended "github": a lost answer would show.
    project = generate(renamed_releases, tmp_path / "service", {**ANSWERS, "ci_provider": "none"})
    assert answers(project)["ci_provider"] == "none" and "ci" not in answers(project)
    assert not (project / ".github").exists()

    update(project, LATER)

    recorded = answers(project)
    assert recorded["ci"] == "none" and "ci_provider" not in recorded
    assert recorded["_commit"] == LATER
    assert not (project / ".github").exists()
    decision = (project / "docs" / "adr" / "0008-ci.md").read_text()
    assert "None (`none`), chosen over the recommended GitHub Actions" in decision
    assert leftovers(project) == []
    assert check_update(project).returncode == 0


def test_without_the_migration_a_renamed_answer_falls_back_to_its_default(
    renamed_releases: Path, tmp_path: Path
) -> None:
    """Why the migration matters: Copier silently answers the new name with its default."""
    project = generate(renamed_releases, tmp_path / "service", {**ANSWERS, "ci_provider": "none"})

    update(project, FORGOTTEN_MIGRATION)

    assert answers(project)["ci"] == "github"
    assert (project / ".github" / "workflows" / "ci.yml").is_file()


# ── An update across the restructuring of the service: moved files keep the team's edits ───

# The last commit before the service's architecture was restructured (features, tenancy as a
# layer, resources isolated by default): files moved, were split, or went away.
BEFORE_THE_RESTRUCTURING = "9adb7a31cd2e727d460ab48104f5944932648604"
_EDITS = {
    # A file the release removes (its dependencies moved to auth/deps.py and db.py).
    Path("src", PACKAGE, "deps.py"): ("# Team note: sessions stay short.\n", "append"),
    # A file the release moves (tenancy/service.py became tenancy/lifecycle.py).
    Path("src", PACKAGE, "tenancy", "service.py"): (
        '    logger.info("tenant_deleted", tenant_id=str(tenant_id))\n',
        '    logger.info("tenant_deleted", tenant_id=str(tenant_id), by="operator")\n',
    ),
    # A file the release rewrites in place.
    Path("src", PACKAGE, "projects", "models.py"): ("\nAUDITED = True\n", "append"),
}


@pytest.fixture(scope="module")
def restructuring(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Template repository: the commit before the restructuring as `0.1.0`, this tree `0.2.0`."""
    repo = tmp_path_factory.mktemp("restructuring") / "groundwork"
    repo.mkdir()
    archive = subprocess.run(
        ["git", "archive", BEFORE_THE_RESTRUCTURING],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, (
        f"{BEFORE_THE_RESTRUCTURING} is not in this clone's history "
        f"(`git fetch --unshallow` gets it): {archive.stderr.decode()}"
    )
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)
    git(repo, "init", "-q", "-b", "main")
    release(repo, EARLIER)
    shutil.rmtree(repo / "template")
    shutil.copytree(REPO, repo, ignore=_NOT_RELEASED, symlinks=True, dirs_exist_ok=True)
    release(repo, LATER)
    return repo


def test_edits_of_files_the_restructuring_moved_are_reported_never_dropped(
    restructuring: Path, tmp_path: Path
) -> None:
    answers_given = {**ANSWERS, "tenancy_need": "multi_schema", "tenancy": "schema"}
    project = generate(restructuring, tmp_path / "service", answers_given)
    for path, (old, new) in _EDITS.items():
        if new == "append":
            with (project / path).open("a") as file:
                file.write(old)
        else:
            edit(project / path, old, new)
    commit(project, "The team's edits")

    update(project, LATER)

    checked = check_update(project)
    reported = {line.split(":")[0] for line in checked.stdout.splitlines()}
    removed, moved, rewritten = (path.as_posix() for path in _EDITS)
    assert checked.returncode == 1
    assert reported == {f"{removed}.rej", f"{moved}.rej", rewritten}
    assert "# Team note: sessions stay short." in (project / f"{removed}.rej").read_text()
    assert 'by="operator"' in (project / f"{moved}.rej").read_text()
    assert "AUDITED = True" in (project / rewritten).read_text()
    # A removed file the team never touched goes without a trace.
    assert not (project / "src" / PACKAGE / "state.py").exists()
    assert not (project / "src" / PACKAGE / "state.py.rej").exists()
    assert answers(project)["_commit"] == LATER


# ── Across the change that asks the tenancy question once: the mode built is kept ──────────

# The last commit that asked both `tenancy_need` and `tenancy`: they could differ, past 10,000
# tenants (a schema need got shared tables) or with dedicated storage, ticked for a single tenant.
BEFORE_ONE_TENANCY_QUESTION = "539170ae1a378a43587ba86c322d30d9bbe5dcb3"


@pytest.fixture(scope="module")
def one_tenancy_question(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Template repository: the last commit asking both as `0.1.0`, this tree as `0.2.0`."""
    repo = tmp_path_factory.mktemp("one-tenancy-question") / "groundwork"
    repo.mkdir()
    archive = subprocess.run(
        ["git", "archive", BEFORE_ONE_TENANCY_QUESTION],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x", "-C", str(repo)], input=archive.stdout, check=True)
    git(repo, "init", "-q", "-b", "main")
    release(repo, EARLIER)
    for path in ("template", "hooks", "copier.yml"):
        if (repo / path).is_dir():
            shutil.rmtree(repo / path)
        else:
            (repo / path).unlink()
    shutil.copytree(REPO, repo, ignore=_NOT_RELEASED, symlinks=True, dirs_exist_ok=True)
    release(repo, LATER)
    return repo


@pytest.mark.parametrize(
    ("given", "migrated"),
    [
        (
            {"tenancy_need": "multi_schema", "expected_tenants": "more", "tenancy": "shared"},
            {"tenancy_need": "multi_shared", "expected_tenants": "more", "tenancy": "shared"},
        ),
        (
            {"tenancy_need": "single", "compliance": ["audit_trail", "tenant_separation"]},
            {"tenancy_need": "single", "compliance": ["audit_trail"], "tenancy": "none"},
        ),
    ],
    ids=["schema-need-built-shared", "dedicated-storage-for-one-tenant"],
)
def test_an_update_keeps_the_tenancy_mode_built_when_the_need_said_another(
    one_tenancy_question: Path,
    tmp_path: Path,
    given: dict[str, Any],
    migrated: dict[str, Any],
) -> None:
    project = generate(one_tenancy_question, tmp_path / "service", {**ANSWERS, **given})
    mode = answers(project)["tenancy"]
    tenancy = project / "src" / PACKAGE / "tenancy"
    modules = sorted(path.name for path in tenancy.glob("*.py"))

    update(project, LATER)

    recorded = answers(project)
    assert {name: recorded[name] for name in migrated} == migrated
    assert recorded["tenancy"] == mode
    assert recorded["_commit"] == LATER
    assert sorted(path.name for path in tenancy.glob("*.py")) == modules, "the same mode"
    assert leftovers(project) == []


def test_the_answers_migration_knows_the_models_tenancy_modes() -> None:
    assert migrate_answers.NEED_FOR_TENANCY == tenancy.NEED_FOR_TENANCY
    assert migrate_answers.TENANT_SEPARATION == tenancy.TENANT_SEPARATION
    current = {
        "tenancy_need": "multi_database",
        "tenancy": "database",
        "compliance": [tenancy.TENANT_SEPARATION],
    }
    assert migrate_answers.migrated(current) == current


# ── From the last release to the working tree ───────────────────────────────────────────────


def last_release() -> tuple[str, str]:
    """The newest version of CHANGELOG.md and the commit that last introduced its heading.

    Tags may not survive on every clone, so the release is found in the history itself.
    """
    version = re.search(r"^## \[(\d[^\]]*)\]", (REPO / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert version, "CHANGELOG.md has no released version (`## [X.Y.Z] - date`)"
    found = git(REPO, "log", "--format=%H", "-S", f"## [{version[1]}]", "--", "CHANGELOG.md")
    assert found.split(), (
        f"no commit introduces `## [{version[1]}]` in CHANGELOG.md: commit it, or "
        "`git fetch --unshallow` a shallow clone"
    )
    return version[1], found.split()[0]  # the newest: a heading moved back and forth counts last


@pytest.fixture(scope="module")
def since_last_release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A clone whose last release is tagged, and whose HEAD is this working tree."""
    version, release_commit = last_release()
    repo = tmp_path_factory.mktemp("since-release") / "groundwork"
    git(REPO.parent, "clone", "-q", "--no-checkout", str(REPO), str(repo))
    git(repo, "checkout", "-q", "-B", "main", release_commit)
    tag = f"v{version}"
    if tag in git(repo, "tag", "--list", tag).split():  # the release, tagged in this repository
        assert git(repo, "rev-list", "-n", "1", tag).strip() == release_commit, (
            f"{tag} is not the commit that gave CHANGELOG.md its `## [{version}]` heading"
        )
    else:
        git(repo, "tag", "-a", tag, "-m", f"Release {version}")
    for path in repo.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    shutil.copytree(REPO, repo, ignore=_NOT_RELEASED, symlinks=True, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "The working tree")
    return repo, tag


def test_a_service_of_the_last_release_updates_to_the_working_tree(
    since_last_release: tuple[Path, str], tmp_path: Path
) -> None:
    repo, tag = since_last_release
    project = tmp_path / "service"
    copier.run_copy(
        str(repo), project, vcs_ref=tag, data=ANSWERS, defaults=True, unsafe=True, quiet=True
    )
    assert answers(project)["_commit"] == tag
    git(project, "init", "-q", "-b", "main")
    commit(project, "Generate the service")
    with (project / ROUTER).open("a") as router:
        router.write(_USER_ROUTE)
    edit(project / TOKEN_SETTINGS, _TOKEN_MINUTES, _TOKEN_MINUTES_USER)
    commit(project, "A summary route, longer access tokens")

    update(project, "HEAD")

    assert leftovers(project) == []
    assert unmerged(project) == set()
    assert answers(project)["_commit"].startswith(f"{tag}-")  # the working tree, past the tag
    assert (project / ROUTER).read_text().endswith(_USER_ROUTE)
    assert _TOKEN_MINUTES_USER in (project / TOKEN_SETTINGS).read_text()
    checked = check_update(project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    run(["uv", "lock", "--check"], project)  # the service's lock still matches its pyproject
