"""The design document's checkable claims, as data: every `claims/*.toml` file, read and validated.

Each file holds `[[claim]]` tables. A claim says what the document says (in English and in its own
Korean words), what its check reads, and where it does not apply. Bad data stops the load with one
line naming the file and the field (`claims/s03-network.toml: claim[2] (A03).section: is missing`).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

CLAIMS_DIR = Path(__file__).resolve().parent / "claims"
Scope = Literal["terraform", "out-of-scope"]
ID_PATTERN = re.compile(r"^[AD]\d{2,3}$")
SECTION_PATTERN = re.compile(r"^\d{1,2}(\.\d{1,2})*( / \d{1,2}(\.\d{1,2})*)*$")
ENV_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REGION_PATTERN = re.compile(r"^[a-z]{2}-[a-z]+-\d$")
SWITCH_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
_TEXT_FIELDS = ("id", "section", "claim", "original", "check", "scope")
_OPTIONAL_TEXT = ("reason", "reading", "switch")
_LIST_FIELDS = ("not_in_envs", "not_in_regions")


class CatalogueError(Exception):
    """A claim file that cannot be used; the message is one line naming the file and the field."""


@dataclass(frozen=True)
class Claim:
    id: str                 # "A01" for the rows of design-vs-original.md, "D01" for claims it missed
    section: str            # the document's section, "3.1" (or "6.3 / 11.2")
    claim: str              # English
    original: str           # the document's own (Korean) words
    check: str              # what the check reads, in words
    scope: Scope
    reason: str = ""        # why out of scope, "" otherwise
    not_in_envs: tuple[str, ...] = ()
    not_in_regions: tuple[str, ...] = ()
    reading: str = ""       # the reading taken where the document contradicts itself
    switch: str = ""        # dotted settings path of the design switch that realizes it

    @property
    def number(self) -> tuple[str, int]:
        return self.id[0], int(self.id[1:])


def load_catalogue(folder: Path = CLAIMS_DIR) -> tuple[Claim, ...]:
    """Every claim of every `*.toml` in `folder`, ids unique, sorted A before D, then by number."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise CatalogueError(f"{folder}: no claim files (*.toml)")
    seen: dict[str, Path] = {}
    claims: list[Claim] = []
    for path in files:
        for claim in _read_file(path):
            if claim.id in seen:
                raise CatalogueError(f"{_show(path)}: {claim.id}.id: also defined in {_show(seen[claim.id])}")
            seen[claim.id] = path
            claims.append(claim)
    return tuple(sorted(claims, key=lambda c: c.number))


def _read_file(path: Path) -> list[Claim]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{_show(path)}: not valid TOML: {exc}") from None
    unknown_keys = sorted(set(data) - {"claim"})
    if unknown_keys:
        raise CatalogueError(f"{_show(path)}: {unknown_keys[0]}: unknown top-level key (only [[claim]] tables)")
    entries = data.get("claim")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{_show(path)}: claim: no [[claim]] tables")
    return [_claim(path, i, entry) for i, entry in enumerate(entries)]


def _claim(path: Path, index: int, entry: dict[str, Any]) -> Claim:
    where = f"claim[{index}]" + (f" ({entry['id']})" if isinstance(entry.get("id"), str) else "")

    def bad(field: str, message: str) -> CatalogueError:
        return CatalogueError(f"{_show(path)}: {where}.{field}: {message}")

    known = set(_TEXT_FIELDS) | set(_OPTIONAL_TEXT) | set(_LIST_FIELDS)
    for key in sorted(entry):
        if key not in known:
            raise bad(key, f"unknown field (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for field in _TEXT_FIELDS + _OPTIONAL_TEXT:
        value = entry.get(field, "" if field in _OPTIONAL_TEXT else None)
        if value is None:
            raise bad(field, "is missing")
        if not isinstance(value, str):
            raise bad(field, f"must be a string, not {type(value).__name__}")
        if field in _TEXT_FIELDS and not value.strip():
            raise bad(field, "is empty")
        values[field] = value.strip()
    for field in _LIST_FIELDS:
        value = entry.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(field, "must be a list of strings")
        pattern = ENV_PATTERN if field == "not_in_envs" else REGION_PATTERN
        for item in value:
            if not pattern.match(item):
                raise bad(field, f"{item!r} is not an {'environment name' if field == 'not_in_envs' else 'AWS region'}")
        values[field] = tuple(value)
    if not ID_PATTERN.match(values["id"]):
        raise bad("id", f"{values['id']!r} is not A<number> or D<number>")
    if not SECTION_PATTERN.match(values["section"]):
        raise bad("section", f"{values['section']!r} is not a section number such as 3.1")
    if values["scope"] not in ("terraform", "out-of-scope"):
        raise bad("scope", f"{values['scope']!r} is neither 'terraform' nor 'out-of-scope'")
    if values["scope"] == "out-of-scope" and not values["reason"]:
        raise bad("reason", "an out-of-scope claim needs the reason Terraform cannot realize it")
    if values["scope"] == "terraform" and values["reason"]:
        raise bad("reason", "only out-of-scope claims have a reason (use 'reading' or 'check' for notes)")
    if values["switch"] and not SWITCH_PATTERN.match(values["switch"]):
        raise bad("switch", f"{values['switch']!r} is not a dotted settings path such as application.alb.https")
    return Claim(**values)


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
