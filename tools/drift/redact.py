"""Values no report shows even when the schema does not call them sensitive: environment variables
of functions and container definitions can carry credentials (a webhook URL, a token). A report
says which keys differ, never what they hold."""
from __future__ import annotations

from typing import Any

HIDDEN = "(hidden)"
HIDDEN_ATTRIBUTES = frozenset({("aws_lambda_function", "environment"), ("aws_ecs_task_definition", "container_definitions"),
                               ("aws_lambda_function", "variables")})


def _variables(value: Any) -> Any:
    """The map inside `environment` (a block list, one object, or the map itself)."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if isinstance(value, dict) and isinstance(value.get("variables"), dict):
        return value["variables"]
    return value


def redacted(rtype: str, attribute: str, before: Any, after: Any) -> tuple[Any, Any]:
    """(before, after) safe to print: maps keep their keys, with every value hidden and the values
    that differ marked; anything else becomes a placeholder."""
    parts = [p for p in attribute.split(".") if not p.isdigit()]
    if not any((rtype, p) in HIDDEN_ATTRIBUTES for p in parts):
        return before, after
    old, new = _variables(before), _variables(after)
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        hidden_old = {k: HIDDEN for k in old}
        hidden_new = {k: HIDDEN if old.get(k) == new[k] else f"{HIDDEN}, differs" for k in new}
        return hidden_old, hidden_new
    if before == after:
        return HIDDEN, HIDDEN
    return (None if before is None else HIDDEN), (None if after is None else f"{HIDDEN}, differs")
