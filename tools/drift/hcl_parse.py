"""Parsing the HCL expressions of a JSON-syntax configuration (`"${aws_lb.alb.dns_name}"`) into a
small tree for `expressions.py`: templates, references with attribute/index steps, literals, tuples,
objects, operators, conditionals and function calls. Anything else (`for`, splats, `%{` directives)
raises SyntaxError with what it met, and the value stays unknown."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Template:
    parts: tuple[Any, ...]      # str pieces and expression nodes


@dataclass(frozen=True)
class Ref:
    root: tuple[str, ...]       # `data.terraform_remote_state.network` / `aws_lb.alb` / `var.x`
    steps: tuple[Any, ...]      # attribute names (str) and index expressions (nodes)


@dataclass(frozen=True)
class Index:
    target: Any
    key: Any


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class ObjectExpr:
    items: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class Cond:
    test: Any
    then: Any
    otherwise: Any


@dataclass(frozen=True)
class Op:
    op: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Any, ...]


TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|[-+*/%<>!?:.,()\[\]{}=])
  | (?P<quote>")
""", re.VERBOSE)

# How many path parts make the root of a reference: the rest are attribute steps.
ROOT_PARTS = {"data": 3, "var": 2, "local": 2, "module": 2, "each": 2, "count": 2, "path": 2, "terraform": 2,
              "self": 1}
BINARY = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class _Parser:
    def __init__(self, text: str, position: int = 0):
        self.text = text
        self.pos = position

    # -- tokens -------------------------------------------------------------------------------
    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> tuple[str, str]:
        self._skip()
        if self.pos >= len(self.text):
            return ("end", "")
        match = TOKEN.match(self.text, self.pos)
        if match is None:
            raise SyntaxError(f"unexpected {self.text[self.pos]!r}")
        return match.lastgroup or "", match.group(0)

    def take(self, expected: str | None = None) -> tuple[str, str]:
        kind, value = self.peek()
        if expected is not None and value != expected:
            raise SyntaxError(f"expected {expected!r}, found {value or 'the end'!r}")
        self.pos += len(value)
        return kind, value

    # -- templates ----------------------------------------------------------------------------
    def template(self, closing: str | None) -> Template:
        """Literal text and `${...}` up to `closing` (a quote) or the end of the text."""
        parts: list[Any] = []
        piece: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if closing is not None and char == closing:
                self.pos += 1
                break
            if closing is not None and char == "\\":
                escaped, length = _escape(self.text, self.pos)
                piece.append(escaped)
                self.pos += length
                continue
            if self.text.startswith("$${", self.pos) or self.text.startswith("%%{", self.pos):
                piece.append(self.text[self.pos + 1: self.pos + 3])
                self.pos += 3
                continue
            if self.text.startswith("%{", self.pos):
                raise SyntaxError("template directives (%{...}) are not read")
            if self.text.startswith("${", self.pos):
                if piece:
                    parts.append("".join(piece))
                    piece = []
                self.pos += 2
                if self.text.startswith("~", self.pos):
                    self.pos += 1
                parts.append(self.expression())
                self._skip()
                if self.text.startswith("~", self.pos):
                    self.pos += 1
                self.take("}")
                continue
            piece.append(char)
            self.pos += 1
        else:
            if closing is not None:
                raise SyntaxError("unterminated string")
        if piece:
            parts.append("".join(piece))
        return Template(tuple(parts))

    # -- expressions --------------------------------------------------------------------------
    def expression(self) -> Any:
        test = self.binary(0)
        if self.peek()[1] == "?":
            self.take("?")
            then = self.expression()
            self.take(":")
            return Cond(test, then, self.expression())
        return test

    def binary(self, level: int) -> Any:
        if level == len(BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek()[1] in BINARY[level]:
            op = self.take()[1]
            left = Op(op, (left, self.binary(level + 1)))
        return left

    def unary(self) -> Any:
        if self.peek()[1] == "!":
            self.take()
            return Op("!", (self.unary(),))
        if self.peek()[1] == "-":
            self.take()
            return Op("neg", (self.unary(),))
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while True:
            value = self.peek()[1]
            if value == "[":
                self.take()
                if self.peek()[1] == "*":
                    raise SyntaxError("splat expressions are not read")
                key = self.expression()
                self.take("]")
                node = _step(node, key)
            elif value == ".":
                self.take()
                kind, name = self.take()
                if name == "*":
                    raise SyntaxError("splat expressions are not read")
                if kind not in ("name", "number"):
                    raise SyntaxError(f"expected an attribute name after '.', found {name!r}")
                node = _step(node, name if kind == "name" else Literal(int(name)))
            else:
                return node

    def primary(self) -> Any:
        kind, value = self.peek()
        if kind == "number":
            self.take()
            return Literal(float(value) if any(c in value for c in ".eE") else int(value))
        if kind == "quote":
            self.take()
            template = self.template('"')
            if all(isinstance(p, str) for p in template.parts):
                return Literal("".join(template.parts))
            return template
        if kind == "name":
            return self.name()
        if value == "(":
            self.take()
            inner = self.expression()
            self.take(")")
            return inner
        if value == "[":
            self.take()
            if self.peek()[1] == "for":
                raise SyntaxError("for expressions are not read")
            return TupleExpr(tuple(self.sequence("]")))
        if value == "{":
            return self.object()
        raise SyntaxError(f"unexpected {value or 'end of expression'!r}")

    def name(self) -> Any:
        _, word = self.take()
        if word in ("true", "false"):
            return Literal(word == "true")
        if word == "null":
            return Literal(None)
        if self.peek()[1] == "(":
            self.take()
            args = self.sequence(")")
            return Call(word, tuple(args))
        root = [word]
        wanted = ROOT_PARTS.get(word, 2)
        while len(root) < wanted and self.peek()[1] == ".":
            saved = self.pos
            self.take()
            kind, part = self.take()
            if kind != "name":
                self.pos = saved
                break
            root.append(part)
        return Ref(tuple(root), ())

    def sequence(self, closing: str) -> list[Any]:
        items: list[Any] = []
        while self.peek()[1] != closing:
            items.append(self.expression())
            if self.peek()[1] == ",":
                self.take()
            elif self.peek()[1] == "...":
                raise SyntaxError("argument expansion (...) is not read")
        self.take(closing)
        return items

    def object(self) -> ObjectExpr:
        self.take("{")
        if self.peek()[1] == "for":
            raise SyntaxError("for expressions are not read")
        items = []
        while self.peek()[1] != "}":
            kind, value = self.peek()
            if kind == "name":
                self.take()
                key: Any = Literal(value)
            else:
                key = self.expression()
            if self.peek()[1] not in ("=", ":"):
                raise SyntaxError("expected '=' or ':' in an object")
            self.take()
            items.append((key, self.expression()))
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return ObjectExpr(tuple(items))


def _step(node: Any, key: Any) -> Any:
    if isinstance(node, Ref):
        return Ref(node.root, node.steps + (key,))
    return Index(node, key)


def _escape(text: str, position: int) -> tuple[str, int]:
    if text.startswith("\\u", position):
        return chr(int(text[position + 2: position + 6], 16)), 6
    return json.loads(f'"{text[position: position + 2]}"'), 2


def parse_expression(text: str, template: bool = False) -> Any:
    """The tree of `text`: with template=True a whole configured string (`"a-${x}-b"`), else one
    bare expression."""
    parser = _Parser(text)
    if template:
        node = parser.template(None)
        if len(node.parts) == 1 and not isinstance(node.parts[0], str) and text.strip().startswith("${") \
                and text.rstrip().endswith("}"):
            return node.parts[0]      # a lone `${expr}` keeps its type (a list stays a list)
        return node
    node = parser.expression()
    if parser.peek()[0] != "end":
        raise SyntaxError(f"unexpected {parser.peek()[1]!r} after the expression")
    return node
