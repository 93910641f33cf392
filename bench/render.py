"""How long `copier copy` takes: Groundwork's default and everything-enabled answers beside the
floor, a one-question Copier template made in the same run.

A third template separates Copier's own cost per file from Groundwork's: one question and the
files of a default Groundwork render, copied as they are (no Jinja). Each case is rendered
in-process (`copier.run_copy`) and through the command line (`python -m copier copy`,
interpreter start-up and imports included), the runs of all cases interleaved; the median of
each is compared with the floor's (target: the default render at most 2x the floor).

    uv run python bench/render.py              # 7 runs of each, after an untimed round
    uv run python bench/render.py --profile    # and where an in-process render's time goes
    uv run python bench/render.py --quick      # one run of each: a smoke run
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import benchlib
from benchlib import BenchError, log, table

TARGET_RATIO = 2.0

# Every decision and option switched on.
EVERYTHING: dict[str, Any] = {
    "tenancy_need": "multi_shared",
    "tenancy": "shared",
    "cache": "redis",
    "soft_delete": True,
    "compliance": ["audit_trail", "retention"],
    "ci": "github",
    "metrics": "prometheus",
}


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    template: Path
    vcs_ref: str
    answers: Mapping[str, Any]


@dataclass
class Timing:
    case: Case
    mode: str  # "in-process" or "CLI"
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each case (7)")
    parser.add_argument(
        "--quick", action="store_true", help="one run of each, no untimed round: a smoke run"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then profile 3 in-process default renders with cProfile: where the time goes",
    )
    benchlib.add_common_options(parser)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.quick:
        args.runs = 1
    return args


FLOOR_QUESTION = "name:\n  type: str\n  help: Your name\n  default: world\n"


def make_floor(folder: Path) -> Path:
    """The smallest useful Copier template, in a git repository like Groundwork."""
    folder.mkdir(parents=True)
    (folder / "copier.yml").write_text(FLOOR_QUESTION)
    (folder / "hello.txt.jinja").write_text("Hello, {{ name }}!\n")
    return commit_template(folder)


def make_plain_copy(folder: Path, rendered: Path) -> Path:
    """A one-question template holding the files of a Groundwork render as they are (no Jinja):
    Copier's cost per file, without Groundwork's questions, decision model and templates."""
    folder.mkdir(parents=True)
    (folder / "copier.yml").write_text(FLOOR_QUESTION)
    for source in rendered.rglob("*"):
        relative = source.relative_to(rendered)
        if (
            source.is_file()
            and relative.parts[0] != ".git"
            and relative.name != ".copier-answers.yml"
        ):
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return commit_template(folder)


def commit_template(folder: Path) -> Path:
    """Make `folder` a git repository with one commit, as a template repository is."""
    environment = benchlib.clean_environment(
        {
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
        }
    )
    for command in (
        ["git", "init", "--quiet"],
        ["git", "add", "-A", "--force"],
        ["git", "commit", "--quiet", "-m", "template"],
    ):
        benchlib.run(command, cwd=folder, env=environment)
    return folder


def render_in_process(case: Case, destination: Path) -> float:
    import copier

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DirtyLocalWarning
        copier.run_copy(
            str(case.template),
            str(destination),
            data=dict(case.answers),
            defaults=True,
            unsafe=True,
            vcs_ref=case.vcs_ref,
            quiet=True,
        )
    return time.perf_counter() - started


def render_cli(case: Case, destination: Path) -> float:
    command = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
    command += ["--vcs-ref", case.vcs_ref]
    for key, value in case.answers.items():
        text = value if isinstance(value, str) else json.dumps(value)  # YAML reads JSON
        command += ["--data", f"{key}={text}"]
    command += [str(case.template), str(destination)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"copier copy failed for {case.label}:\n{done.stderr[-3000:]}")
    return elapsed


MODES = {"in-process": render_in_process, "CLI": render_cli}

# Steps of `copier copy` worth naming: (label, file suffix, function name). Cumulative times,
# so they overlap (a file's render includes its git call).
STEPS = (
    ("whole copier.run_copy", "copier/_main.py", "run_copy"),
    ("git clone of the template (_vcs.clone)", "copier/_vcs.py", "clone"),
    ("render every file and path (_render_template)", "copier/_main.py", "_render_template"),
    ("  render file contents (_render_file)", "copier/_main.py", "_render_file"),
    ("  render path names (_render_path)", "copier/_main.py", "_render_path"),
    (
        "  git config per file (_sync_git_index_executable_bit)",
        "copier/_main.py",
        "_sync_git_index_executable_bit",
    ),
    ("Jinja compile (Environment.compile)", "jinja2/environment.py", "compile"),
    ("every git subprocess (plumbum run)", "plumbum/commands/base.py", "run"),
)


def profile_renders(case: Case, workdir: Path, count: int = 3) -> str:
    """cProfile over `count` in-process renders: cumulative seconds per render of named steps."""
    import cProfile
    import pstats

    render_in_process(case, workdir / "profile-warm-up")
    profiler = cProfile.Profile()
    profiler.enable()
    for number in range(count):
        render_in_process(case, workdir / f"profile-{number}")
    profiler.disable()
    stats: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for label, suffix, name in STEPS:
        # Several functions may share a name (a wrapper and the method it calls): the
        # outermost one, with the largest cumulative time, stands for the step.
        calls, cumulative = 0, 0.0
        for (filename, _, function), (_, primitive, _, total, _) in stats.items():
            if function == name and filename.endswith(suffix) and total > cumulative:
                calls, cumulative = primitive, total
        rows.append([label, f"{calls / count:.0f}", f"{cumulative / count * 1000:.0f}"])
    files = sum(1 for path in (workdir / "profile-0").rglob("*") if path.is_file())
    return "\n".join(
        [
            (
                f"cProfile of {case.label}, in-process, mean of {count} renders ({files} files "
                "written; profiling slows everything, so compare the steps with each other):"
            ),
            "",
            table(["step", "calls per render", "ms per render"], rows),
        ]
    )


def measure(cases: Sequence[Case], runs: int, workdir: Path, *, warm_up: bool) -> list[Timing]:
    """One untimed round (when `warm_up`), then `runs` rounds; each round renders every case
    in every mode."""
    timings = {(case.key, mode): Timing(case, mode, []) for mode in MODES for case in cases}
    counter = 0
    for round_number in range(0 if warm_up else 1, runs + 1):
        for mode, render in MODES.items():
            for case in cases:
                counter += 1
                destination = workdir / "out" / f"{counter}"
                seconds = render(case, destination)
                if not any(destination.iterdir()):
                    raise BenchError(f"{case.label} rendered nothing")
                if round_number > 0:
                    timings[(case.key, mode)].seconds.append(seconds)
        if round_number:
            log(f"round {round_number} of {runs} done")
    return list(timings.values())


def report(timings: Sequence[Timing], runs: int, commit: str) -> tuple[str, bool]:
    floors = {t.mode: t.median for t in timings if t.case.key == "floor"}
    rows = []
    met = True
    for timing in timings:
        ratio = timing.median / floors[timing.mode]
        target = verdict = ""
        if timing.case.key == "default":
            target = f"<= {TARGET_RATIO:g}x"
            verdict = "yes" if ratio <= TARGET_RATIO else "NO"
            met = met and ratio <= TARGET_RATIO
        rows.append(
            [
                timing.case.label,
                timing.mode,
                str(len(timing.seconds)),
                f"{timing.median * 1000:.0f}",
                f"{min(timing.seconds) * 1000:.0f}",
                f"{max(timing.seconds) * 1000:.0f}",
                f"{ratio:.2f}",
                target,
                verdict,
            ]
        )
    header = (
        f"Render benchmark: Groundwork {commit}; median of {runs} runs each, interleaved; "
        f"{benchlib.machine_summary()}; load average {benchlib.load_average()}"
    )
    text = "\n".join(
        [
            header,
            "",
            table(
                [
                    "case",
                    "mode",
                    "runs",
                    "median ms",
                    "min ms",
                    "max ms",
                    "ratio to floor",
                    "target",
                    "met",
                ],
                rows,
            ),
            "",
            "Target met." if met else "Target missed.",
        ]
    )
    return text, met


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.require_tools("git")
    commit = benchlib.template_commit(args.vcs_ref)
    with benchlib.workspace() as workdir:
        floor = make_floor(workdir / "floor")
        sample = workdir / "sample"
        render_in_process(Case("default", "", benchlib.REPO, args.vcs_ref, {}), sample)
        plain = make_plain_copy(workdir / "plain", sample)
        files = sum(1 for path in plain.rglob("*") if path.is_file() and ".git" not in path.parts)
        cases = [
            Case("floor", "floor: one question, one file", floor, "HEAD", {}),
            Case(
                "plain",
                f"one question, {files - 1} plain files (the default render's)",
                plain,
                "HEAD",
                {},
            ),
            Case("default", "Groundwork, default answers", benchlib.REPO, args.vcs_ref, {}),
            Case(
                "everything",
                "Groundwork, everything enabled",
                benchlib.REPO,
                args.vcs_ref,
                EVERYTHING,
            ),
        ]
        log(f"rendering each case {args.runs} times per mode, after an untimed round")
        timings = measure(cases, args.runs, workdir, warm_up=not args.quick)
        profile = profile_renders(cases[2], workdir) if args.profile else ""
    text, _ = report(timings, args.runs, commit)
    print(text + ("\n\n" + profile if profile else ""), flush=True)
    if args.json:
        data = {
            "commit": commit,
            "timings": [
                {"case": t.case.key, "mode": t.mode, "seconds": t.seconds, "median": t.median}
                for t in timings
            ],
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    benchlib.run_script(main)
