"""Jinja globals that expose the decision model to copier.yml and the templates.

copier-template-extensions executes this file by path as a lone module, so relative imports
fail here, and `import hooks` could find another template version's copy (copier update
renders two versions in one process). The package beside this file is therefore loaded by
path, under a module name unique to that path.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import yaml
from jinja2 import Environment, Undefined, pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context


def _load_package(*modules: str) -> tuple[ModuleType, ...]:
    """Load this folder as a package and return the named modules of it.

    Copier executes this file once per environment; earlier copies under the same name are
    dropped first, so a reloaded extension never pairs with stale submodules.
    """
    folder = Path(__file__).resolve().parent
    name = "_groundwork_hooks_" + hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    for loaded in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
        del sys.modules[loaded]
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load the Groundwork hooks package from {folder}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return tuple(importlib.import_module(f"{name}.{module}") for module in modules)


if TYPE_CHECKING:
    from . import answers, decisions, kubernetes, model, records, stacks
else:
    answers, decisions, kubernetes, model, records, stacks = _load_package(
        "answers", "decisions", "kubernetes", "model", "records", "stacks"
    )


def _answers(context: Context) -> dict[str, Any]:
    """The answers known so far: Copier leaves unanswered names Undefined, or absent."""
    return {
        key: value for key, value in context.get_all().items() if not isinstance(value, Undefined)
    }


@pass_context
def recommended(context: Context, name: str) -> model.Value | int:
    """The recommended value of decision or setting `name` for the context answered so far."""
    assessed = model.Context.from_answers(_answers(context))
    return {**decisions.recommend(assessed), **decisions.recommend_settings(assessed)}[name]


_AS_ANSWERED = object()


@pass_context
def refusal(context: Context, name: str, value: Any = _AS_ANSWERED) -> str:
    """Why the answer to `name` (or `value`, if given) is refused, or "" when it is not.

    Validators call it as given; a choice menu calls it with each choice's value, because
    Copier's menus disable refused choices but never run the question's own validator.
    """
    given = _answers(context)
    if value is not _AS_ANSWERED:
        given[name] = value
    found = [problem for problem in decisions.problems(given) if problem.field == name]
    if value is _AS_ANSWERED and not _from_command_line(context, name):
        # Typed in the questionnaire: Copier shows the refusal on one row under the answer.
        return " ".join(problem.brief or problem.message for problem in found)
    message = " ".join(problem.message for problem in found)
    if message and value is _AS_ANSWERED:
        report_command_line_refusal(name, _command_line(context)[name], message)
    return message


def _command_line(context: Context) -> Mapping[str, Any]:
    """The answers given with `--data` (or Copier's `data=`)."""
    conf = context.get("_copier_conf")
    data = conf.get("data", {}) if isinstance(conf, Mapping) else {}
    return data if isinstance(data, Mapping) else {}


def _from_command_line(context: Context, name: str) -> bool:
    """Whether the answer to `name` was given with `--data` (or Copier's `data=`)."""
    return name in _command_line(context)


_REPORTED: set[tuple[str, str]] = set()


def report_command_line_refusal(name: str, value: Any, message: str) -> None:
    """Print a refused `--data` answer's reason to stderr, once, before Copier stops.

    Copier turns a validator's refusal into an exception and prints its traceback, the message
    on the last of some 40 lines; this line comes first, so the reason is what a user sees.
    """
    if (name, message) in _REPORTED:
        return
    _REPORTED.add((name, message))
    print(
        f"--data {name}={model.show_value(value)} is refused: {message}\n"
        "Nothing was written; Copier stops with the traceback below, which ends with its own "
        "form of this message.",
        file=sys.stderr,
        flush=True,
    )


@pass_context
def check_command_line(context: Context) -> bool:
    """Report `--data` answers outside a question's choices, before any question is answered.

    Copier refuses such a value itself, before any validator of ours runs; this check, the
    default of a hidden value at the top of copier.yml, prints the reason first. True when
    every choice given is one of the question's.
    """
    given = _command_line(context)
    questions = yaml.safe_load((Path(__file__).resolve().parent.parent / "copier.yml").read_text())
    valid = True
    for name, value in given.items():
        spec = questions.get(name)
        if not isinstance(spec, Mapping) or "choices" not in spec:
            continue
        choices = [
            choice["value"] if isinstance(choice, Mapping) else choice
            for choice in spec["choices"].values()
        ]
        answered = yaml.safe_load(value) if isinstance(value, str) else value
        picked = answered if spec.get("multiselect") and isinstance(answered, list) else [value]
        unknown = [str(item) for item in picked if item not in choices]
        if unknown:
            valid = False
            shown = ", ".join(model.show_value(choice) for choice in choices)
            report_command_line_refusal(
                name, value, f"'{unknown[0]}' is not a choice of {name}; choose one of: {shown}."
            )
    return valid


# Beside a greyed-out choice: a menu row is cut at the screen edge, so the reason is printed
# under the question's title instead (its `help`).
REASON_ABOVE = "not offered: see why above"


@pass_context
def choice_refusal(context: Context, name: str, value: Any) -> str:
    """A choice's validator: "" when `value` is not refused, else what Copier shows for it.

    Copier shows this text beside the greyed-out choice of a menu, and as the error of a
    `--data` answer that picks the choice. The menu gets a short note, the reason being under
    the title; an answer given on the command line gets the whole reason.
    """
    reason = refusal(context, name, value)
    if not reason:
        return ""
    if not _from_command_line(context, name):
        return REASON_ABOVE
    given = _command_line(context)[name]
    answered = yaml.safe_load(given) if isinstance(given, str) else given
    chosen = value if isinstance(value, list) else [value]
    if answered == value or (isinstance(answered, list) and set(chosen) <= set(answered)):
        report_command_line_refusal(name, given, reason)
    return reason


@pass_context
def adr_markdown(context: Context, name: str) -> str:
    """The decision record of `name`, from the current answers.

    The final newline is left to the template file, so `{{ adr('cache') }}` on a line of its
    own renders a file that ends with exactly one newline.
    """
    return records.markdown(name, _answers(context)).rstrip("\n")


def _stack(given: Mapping[str, Any]) -> ModuleType:
    """What the answers' stack is made of (hooks/stacks/<stack>.py)."""
    return importlib.import_module(f"{stacks.__name__}.{given.get('stack', 'fastapi')}")


@pass_context
def excluded_paths(context: Context) -> str:
    """The files of the parts this service lacks, one pattern a line (for `_exclude`)."""
    given = _answers(context)
    return "\n".join(_stack(given).excluded(given))


@pass_context
def service_features(context: Context) -> list[str]:
    """The service's feature modules, in the order they start."""
    given = _answers(context)
    features: list[str] = _stack(given).features(given)
    return features


@pass_context
def worker_modules(context: Context) -> list[str]:
    """The modules whose `run(settings, stopping)` the worker process runs."""
    given = _answers(context)
    modules: list[str] = _stack(given).worker_modules(given)
    return modules


@pass_context
def settings_modules(context: Context) -> list[str]:
    """The feature modules whose settings the service's `Settings` class inherits."""
    given = _answers(context)
    modules: list[str] = _stack(given).settings_modules(given)
    return modules


@pass_context
def dependencies(context: Context, group: str = "") -> list[str]:
    """The service's dependencies (`group="dev"`: its development ones), sorted."""
    given = _answers(context)
    stack = _stack(given)
    found: list[str] = (
        stack.dev_dependencies(given) if group == "dev" else stack.dependencies(given)
    )
    return found


@pass_context
def kubernetes_secrets(context: Context, owner: bool = False) -> list[kubernetes.Secret]:
    """The Secret keys a Kubernetes container gets (`owner`: the migration Job)."""
    return kubernetes.secrets(_answers(context), owner=owner)


@pass_context
def kubernetes_egress(context: Context, component: str) -> list[kubernetes.Egress]:
    """The ports a Kubernetes component's NetworkPolicy lets it reach, beside DNS."""
    return kubernetes.egress(_answers(context), component)


@pass_context
def kubernetes_ingress(context: Context, component: str) -> list[kubernetes.Ingress]:
    """Who a Kubernetes component's NetworkPolicy lets in."""
    return kubernetes.ingress(_answers(context), component)


@pass_context
def kubernetes_components(context: Context) -> list[str]:
    """The components of the Kubernetes manifests that have a NetworkPolicy."""
    return kubernetes.components(_answers(context))


def secret(nbytes: int = 32) -> str:
    """A URL-safe random secret, for values the generated .env needs from day one."""
    return secrets.token_urlsafe(nbytes)


class GroundworkExtension(Extension):
    """Adds the decision model's functions and the stack's parts to the environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        helpers: Mapping[str, Any] = {
            "recommended": recommended,
            "refusal": refusal,
            "choice_refusal": choice_refusal,
            "check_command_line": check_command_line,
            "adr": adr_markdown,
            "slugify": answers.slugify,
            "secret": secret,
            "excluded_paths": excluded_paths,
            "service_features": service_features,
            "settings_modules": settings_modules,
            "worker_modules": worker_modules,
            "dependencies": dependencies,
            "kubernetes_secrets": kubernetes_secrets,
            "kubernetes_egress": kubernetes_egress,
            "kubernetes_ingress": kubernetes_ingress,
            "kubernetes_components": kubernetes_components,
        }
        environment.globals.update(helpers)
