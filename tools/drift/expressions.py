"""A small evaluator for the Terraform expressions the synthesized stacks write inside `${...}`:
references (`data.terraform_remote_state.network.outputs.vpc_id`, `aws_lb.alb.dns_name`), index and
attribute access, string templates, operators, conditionals, and the functions the stacks call
(`jsonencode`, `element`, `lookup`, `values`, `try`, ...).

What it cannot know evaluates to `Unknown(reason)`: a value known after apply, a remote state that is
not in the source, a construct this evaluator does not read (then the reason says which), so a
caller can count unknowns by reason instead of guessing. `for` expressions, splats and `each`/`count`
are such constructs: the stacks do not write them in resource arguments today.
"""
from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.drift.hcl_parse import Call, Cond, Index, Literal, Op, Ref, Template, TupleExpr, ObjectExpr, parse_expression


@dataclass(frozen=True)
class Unknown:
    reason: str
    after_apply: bool = False     # terraform too knows it only after apply: it plans a change


@dataclass(frozen=True)
class Partial:
    """A string template with unknown pieces: the known text still says what it cannot match."""

    parts: tuple[str | Unknown, ...]

    @property
    def unknown(self) -> Unknown:
        return next(p for p in self.parts if isinstance(p, Unknown))

    def pattern(self) -> re.Pattern[str]:
        return re.compile("".join(".*?" if isinstance(p, Unknown) else re.escape(p) for p in self.parts), re.DOTALL)

    def marked(self, mark: str) -> str:
        return "".join(mark if isinstance(p, Unknown) else p for p in self.parts)


class EvaluationError(Exception):
    """An expression terraform itself would reject (a missing attribute, a wrong type): unknown here."""


Resolver = Callable[[tuple[Any, ...]], Any]   # a root traversal (`("aws_lb", "alb", "dns_name")`) -> value


def _first_unknown(values: list[Any]) -> Unknown | None:
    for value in values:
        if isinstance(value, Partial):
            return value.unknown
        if isinstance(value, Unknown):
            return value
    return None


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise EvaluationError(f"cannot use a {type(value).__name__} in a string template")


def _jsonencode(value: Any) -> str:
    # terraform's jsonencode: compact, keys sorted, no escaping of non-ASCII beyond what JSON needs.
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False) \
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _element(items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items:
        raise EvaluationError("element() needs a non-empty list")
    return items[int(index) % len(items)]


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict):
        raise EvaluationError("lookup() needs a map")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvaluationError(f"lookup(): no key {key!r}")


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    network = ipaddress.ip_network(str(prefix), strict=False)
    subnets = network.subnets(prefixlen_diff=int(newbits))
    for number, subnet in enumerate(subnets):
        if number == int(netnum):
            return str(subnet)
    raise EvaluationError("cidrsubnet(): netnum out of range")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": lambda text: json.loads(text),
    "element": _element,
    "lookup": _lookup,
    "values": lambda m: [m[k] for k in sorted(m)],
    "keys": lambda m: sorted(m),
    "length": lambda v: len(v),
    "compact": lambda items: [i for i in items if i not in ("", None)],
    "concat": lambda *lists: [i for items in lists for i in items],
    "join": lambda sep, items: sep.join(_string(i) for i in items),
    "replace": lambda text, old, new: text.replace(old, new),
    "trimsuffix": lambda text, suffix: text[: -len(suffix)] if suffix and text.endswith(suffix) else text,
    "trimprefix": lambda text, prefix: text[len(prefix):] if prefix and text.startswith(prefix) else text,
    "lower": lambda text: text.lower(),
    "upper": lambda text: text.upper(),
    "tostring": lambda value: value if value is None else _string(value),
    "tonumber": lambda value: value if value is None else float(value),
    "tolist": lambda value: list(value),
    "toset": lambda value: sorted(set(value), key=str),
    "format": lambda fmt, *args: re.sub(r"%[sd]", "{}", fmt).format(*(_string(a) for a in args)),
    "regex": lambda pattern, text: _regex(pattern, text),
    "cidrsubnet": _cidrsubnet,
}


def _regex(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise EvaluationError("regex(): no match")
    return found.group(0)


def _index(container: Any, key: Any) -> Any:
    unknown = _first_unknown([container, key])
    if unknown is not None:
        return unknown
    if isinstance(container, dict):
        if key not in container:
            if hasattr(container, "missing"):     # a planned object: its unset attributes
                return container.missing
            raise EvaluationError(f"no key {key!r}")
        return container[key]
    if isinstance(container, list):
        if isinstance(key, bool) or not isinstance(key, (int, float, str)) or not str(key).lstrip("-").isdigit():
            raise EvaluationError(f"a list index must be a number, not {key!r}")
        position = int(key)
        if not 0 <= position < len(container):
            raise EvaluationError(f"index {position} out of range")
        return container[position]
    raise EvaluationError(f"cannot index a {type(container).__name__}")


def _compare(op: str, left: Any, right: Any) -> Any:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    numbers = [float(left), float(right)]
    return {"<": numbers[0] < numbers[1], ">": numbers[0] > numbers[1],
            "<=": numbers[0] <= numbers[1], ">=": numbers[0] >= numbers[1]}[op]


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    a, b = float(left), float(right)
    result = {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "%": a % b}[op]
    return int(result) if result.is_integer() else result


class Evaluator:
    """Evaluates parsed expressions; `resolve` answers root references (resources, data sources)."""

    def __init__(self, resolve: Resolver):
        self.resolve = resolve

    def evaluate(self, node: Any) -> Any:
        try:
            return self._eval(node)
        except EvaluationError as error:
            return Unknown(f"terraform would reject it: {error}")
        except (TypeError, ValueError, ZeroDivisionError, KeyError, IndexError) as error:
            return Unknown(f"not evaluable: {error}")

    def _eval(self, node: Any) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Template):
            parts = [p if isinstance(p, str) else self._eval(p) for p in node.parts]
            parts = [p if isinstance(p, (str, Unknown)) else _string(p) for p in parts]
            if _first_unknown(parts) is not None:
                return Partial(tuple(parts))
            return "".join(parts)
        if isinstance(node, Ref):
            value = self.resolve(node.root)
            for step in node.steps:
                value = _index(value, self._eval(step) if not isinstance(step, str) else step)
            return value
        if isinstance(node, Index):
            return _index(self._eval(node.target), self._eval(node.key))
        if isinstance(node, TupleExpr):
            items = [self._eval(i) for i in node.items]
            return _first_unknown(items) or items
        if isinstance(node, ObjectExpr):
            pairs = [(self._eval(k), self._eval(v)) for k, v in node.items]
            unknown = _first_unknown([x for pair in pairs for x in pair])
            return unknown or {_string(k): v for k, v in pairs}
        if isinstance(node, Cond):
            test = self._eval(node.test)
            if _first_unknown([test]) is not None:
                return _first_unknown([test])
            return self._eval(node.then if test else node.otherwise)
        if isinstance(node, Op):
            return self._operator(node)
        if isinstance(node, Call):
            return self._call(node)
        raise EvaluationError(f"unsupported expression {type(node).__name__}")

    def _operator(self, node: Op) -> Any:
        if node.op in ("&&", "||"):
            left = self._eval(node.args[0])
            if _first_unknown([left]) is not None:
                return _first_unknown([left])
            if node.op == "&&" and not left or node.op == "||" and left:
                return bool(left)
            right = self._eval(node.args[1])
            return _first_unknown([right]) or bool(right)
        values = [self._eval(a) for a in node.args]
        unknown = _first_unknown(values)
        if unknown is not None:
            return unknown
        if node.op == "!":
            return not values[0]
        if node.op == "neg":
            return -values[0]
        if node.op in ("==", "!=", "<", ">", "<=", ">="):
            return _compare(node.op, *values)
        return _arithmetic(node.op, *values)

    def _call(self, node: Call) -> Any:
        if node.name in ("try", "can"):
            for argument in node.args:
                try:
                    value = self._eval(argument)
                except (EvaluationError, TypeError, ValueError, KeyError, IndexError):
                    if node.name == "can":
                        return False
                    continue
                if _first_unknown([value]) is not None:
                    return _first_unknown([value])
                return True if node.name == "can" else value
            if node.name == "can":
                return False
            raise EvaluationError("try(): no argument could be evaluated")
        function = FUNCTIONS.get(node.name)
        if function is None:
            return Unknown(f"function {node.name}() is not evaluated by drift config")
        args = [self._eval(a) for a in node.args]
        unknown = _first_unknown(args)
        if unknown is not None:
            return unknown
        return function(*args)


def evaluate_string(text: str, resolve: Resolver) -> Any:
    """A configured string: a literal, one `${expr}` (any type), or a template (a string)."""
    if "${" not in text and "%{" not in text:
        return text
    try:
        node = parse_expression(text, template=True)
    except SyntaxError as error:
        return Unknown(f"expression not read by drift config: {error}")
    return Evaluator(resolve).evaluate(node)
