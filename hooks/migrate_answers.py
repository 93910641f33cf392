"""Copier migration task, before an update: bring an older answers file to today's questions.

Until the tenancy question was asked once, a service answered both `tenancy_need` and
`tenancy`, and they could differ (past 10,000 tenants, or with dedicated storage, the model
recommended another mode than the need named). The mode is now derived from the need, so an
old answers file would silently get another mode. The mode the service was built with wins:
the need becomes the one that names it. Dedicated storage, now refused without a database per
tenant, is dropped where the service never had one, so the other compliance answers are kept.

    migrate_answers.py ANSWERS_FILE    # run by Copier in the service's root (copier.yml)

It changes nothing in an answers file that is already consistent, so it runs on every update.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml  # Copier depends on PyYAML, and this runs under Copier's interpreter

NEED_FOR_TENANCY = {
    "none": "single",
    "shared": "multi_shared",
    "schema": "multi_schema",
    "database": "multi_database",
}
TENANT_SEPARATION = "tenant_separation"


def migrated(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers with the tenancy need of the mode built, and no inapplicable storage tick."""
    tenancy = answers.get("tenancy")
    if tenancy not in NEED_FOR_TENANCY:
        return answers
    result = {**answers, "tenancy_need": NEED_FOR_TENANCY[tenancy]}
    contracts = result.get("compliance")
    if tenancy != "database" and isinstance(contracts, list) and TENANT_SEPARATION in contracts:
        result["compliance"] = [item for item in contracts if item != TENANT_SEPARATION]
    return result


def main(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    answers = yaml.safe_load(text)
    if not isinstance(answers, dict):
        return 0
    changed = migrated(answers)
    if changed != answers:
        header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        path.write_text(header + yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
        print(f"{path}: tenancy_need now names the tenancy mode built", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
