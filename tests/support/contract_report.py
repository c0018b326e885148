"""How far each service's OpenAPI document is a contract: per service, its operations, those with a typed success
response, those that state the roles they require, the error statuses documented, and (given the statuses the
fuzz test saw, `CONTRACT_OBSERVED=file pytest tests/fuzz/test_http_fuzz.py`) the answers no document mentions.

Run: `scripts/contract-report [observed.jsonl]`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from services import definition_of
from shared.runtime.app import create_app

SERVICES = ("patrol", "dispatch", "notify", "training")
METHODS = ("get", "put", "post", "patch", "delete")


def document_of(service: str) -> dict[str, Any]:
    definition = definition_of(service)
    settings = definition.settings_class(service_name=service)
    return create_app(definition, settings).openapi()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def is_typed(schema: dict[str, Any] | None, document: dict[str, Any]) -> bool:
    """A schema that says what the answer holds: not `{}`, not an object of anything."""
    if not schema:
        return False
    if "$ref" in schema:
        target = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return "$ref" in target or is_typed(target, document)
    if "anyOf" in schema or "oneOf" in schema:
        return all(is_typed(part, document) for part in schema.get("anyOf", schema.get("oneOf", [])))
    kind = schema.get("type")
    if kind == "array":
        return is_typed(schema.get("items"), document)
    if kind == "object":
        extra = schema.get("additionalProperties")
        return bool(schema.get("properties")) or (isinstance(extra, dict) and is_typed(extra, document))
    return kind is not None


def typed_success(operation: dict[str, Any], document: dict[str, Any]) -> bool:
    successes = {
        code: answer for code, answer in operation.get("responses", {}).items() if code.startswith("2")
    }
    if not successes:
        return False
    for code, answer in successes.items():
        content = answer.get("content")
        if code == "204" and not content:
            continue
        if not content:
            return False
        for media, body in content.items():
            if "json" in media and not is_typed(body.get("schema"), document):
                return False
    return True


def read_observed(path: Path | None) -> dict[str, set[tuple[str, str, int]]]:
    observed: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
    if path is None or not path.exists():
        return observed
    for line in path.read_text().splitlines():
        row = json.loads(line)
        observed[row["service"]].add((row["method"], row["path"], int(row["status"])))
    return observed


def report(observed_file: Path | None = None) -> list[dict[str, Any]]:
    observed = read_observed(observed_file)
    rows = []
    for service in SERVICES:
        document = document_of(service)
        ops = operations(document)
        documented = {
            (method, path): {int(code) for code in operation.get("responses", {}) if code.isdigit()}
            for method, path, operation in ops
        }
        errors: Counter[int] = Counter(code for codes in documented.values() for code in codes if code >= 400)
        undocumented = {
            (method, path, status)
            for method, path, status in observed.get(service, set())
            if status not in documented.get((method, path), set())
        }
        rows.append(
            {
                "service": service,
                "operations": len(ops),
                "typed": sum(typed_success(op, document) for _, _, op in ops),
                "roles": sum("x-roles" in op for _, _, op in ops),
                "errors": dict(sorted(errors.items())),
                "undocumented": len(undocumented) if observed_file else None,
            }
        )
    return rows


def undocumented_answers(observed_file: Path) -> list[tuple[str, str, str, int]]:
    """Each (service, method, path, status) the fuzz test saw that its operation does not document."""
    observed = read_observed(observed_file)
    found = []
    for service in SERVICES:
        documented = {
            (method, path): {int(code) for code in operation.get("responses", {}) if code.isdigit()}
            for method, path, operation in operations(document_of(service))
        }
        found += [
            (service, method, path, status)
            for method, path, status in sorted(observed.get(service, set()))
            if status not in documented.get((method, path), set())
        ]
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["--list"]:
        for row in undocumented_answers(Path(argv[1])):
            print(*row)
        return 0
    observed_file = Path(argv[0]) if argv else None
    print(
        f"{'service':<10}{'operations':>11}{'typed 2xx':>10}{'x-roles':>8}  {'undocumented*':>13}  documented errors"
    )
    for row in report(observed_file):
        errors = " ".join(f"{code}:{count}" for code, count in row["errors"].items()) or "-"
        undocumented = "-" if row["undocumented"] is None else str(row["undocumented"])
        print(
            f"{row['service']:<10}{row['operations']:>11}{row['typed']:>10}{row['roles']:>8}  {undocumented:>13}  {errors}"
        )
    print("* distinct (operation, status) pairs the fuzz test saw that the operation does not document")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
