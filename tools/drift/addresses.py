"""Terraform resource addresses: parsing and writing `module.a["k"].aws_x.name[0]`.

Keys may hold dots and brackets inside their quotes (`["/petclinic/dev/server.port"]`), so an address
is tokenized, never split on dots.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

Key = str | int | None


class AddressError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Step:
    """One module call on the path: `module.name` or `module.name["key"]`."""

    name: str
    key: Key = None


@dataclass(frozen=True)
class Address:
    """A resource (`key` unset) or resource-instance address, or a module path (`type` empty)."""

    modules: tuple[Step, ...] = ()
    type: str = ""
    name: str = ""
    key: Key = None
    mode: str = "managed"

    @property
    def is_module(self) -> bool:
        return not self.type

    @property
    def resource(self) -> "Address":
        """The resource this instance belongs to (the key dropped)."""
        return Address(self.modules, self.type, self.name, None, self.mode)

    def with_key(self, key: Key) -> "Address":
        return Address(self.modules, self.type, self.name, key, self.mode)

    def __str__(self) -> str:
        parts = [f"module.{s.name}{format_key(s.key)}" for s in self.modules]
        if self.type:
            prefix = "data." if self.mode == "data" else ""
            parts.append(f"{prefix}{self.type}.{self.name}{format_key(self.key)}")
        return ".".join(parts)


def format_key(key: Key) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key)}]"


def _tokens(text: str) -> list[tuple[str, Key]]:
    """`a.b["x.y"].c[0]` -> [("a", None), ("b", "x.y"), ("c", 0)]."""
    out: list[tuple[str, Key]] = []
    i, n = 0, len(text)
    while i < n:
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        name = text[i:j]
        if not name:
            raise AddressError(f"empty name at position {i} in address {text!r}")
        key: Key = None
        if j < n and text[j] == "[":
            if j + 1 < n and text[j + 1] == '"':
                k = j + 2
                while k < n and text[k] != '"':
                    k += 2 if text[k] == "\\" else 1
                if k >= n or k + 1 >= n or text[k + 1] != "]":
                    raise AddressError(f"unterminated key in address {text!r}")
                key = json.loads(text[j + 1:k + 1])
                j = k + 2
            else:
                k = text.find("]", j)
                if k < 0:
                    raise AddressError(f"unterminated index in address {text!r}")
                raw = text[j + 1:k]
                if not raw.isdigit():
                    raise AddressError(f"index {raw!r} is neither a number nor a quoted key in {text!r}")
                key = int(raw)
                j = k + 1
        out.append((name, key))
        if j < n:
            if text[j] != ".":
                raise AddressError(f"unexpected {text[j]!r} in address {text!r}")
            j += 1
        i = j
    return out


def parse(text: str) -> Address:
    """Parse a resource, instance or module address."""
    tokens = _tokens(text.strip())
    modules: list[Step] = []
    i = 0
    while i < len(tokens) and tokens[i] == ("module", None) and i + 1 < len(tokens):
        name, key = tokens[i + 1]
        modules.append(Step(name, key))
        i += 2
    rest = tokens[i:]
    if not rest:
        return Address(tuple(modules))
    mode = "managed"
    if rest[0] == ("data", None):
        mode, rest = "data", rest[1:]
    if len(rest) != 2 or rest[0][1] is not None:
        raise AddressError(f"not a resource address: {text!r}")
    (rtype, _), (name, key) = rest
    return Address(tuple(modules), rtype, name, key, mode)


def module_path(text: str | None) -> tuple[Step, ...]:
    """The `module` field of a state resource (`module.a["k"].module.b`) as steps."""
    if not text:
        return ()
    return parse(text).modules
