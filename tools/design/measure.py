"""Claims x environments: the verdict of every claim of the catalogue in every environment asked
for, and what makes the tool fail (a `to-be` environment that fails or cannot decide a claim that
applies to it)."""
from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from settings import Environment

STATUSES = ("pass", "fail", "unknown", "not-applicable", "out-of-scope")
BLOCKING = frozenset({"fail", "unknown"})   # in a to-be environment


@dataclass(frozen=True)
class Toolkit:
    """What the measuring needs from the catalogue and the checks (tools.design.catalogue, .stacks,
    .evaluate); the tests hand in small fakes."""

    load_catalogue: Callable[[], tuple[Any, ...]]
    load_stacks: Callable[[Path], Any]
    evaluate: Callable[..., Mapping[str, Any]]
    synthesize: Callable[[Environment, Path], Path]


def default_toolkit() -> Toolkit:
    from tools.design.catalogue import load_catalogue
    from tools.design.evaluate import evaluate
    from tools.design.stacks import Stacks
    from tools.design.synthesis import synthesize_into

    return Toolkit(load_catalogue, Stacks.load, evaluate, synthesize_into)


@dataclass(frozen=True)
class EnvResult:
    name: str
    profile: str
    verdicts: Mapping[str, Any]   # claim id -> Verdict (status, evidence)

    def counts(self) -> dict[str, int]:
        counted = Counter(v.status for v in self.verdicts.values())
        return {status: counted.get(status, 0) for status in STATUSES}

    def blocking(self) -> list[str]:
        """Claims that make the tool fail: undecided or failed in an environment built to the design."""
        if self.profile != "to-be":
            return []
        return sorted(cid for cid, v in self.verdicts.items() if v.status in BLOCKING)


@dataclass(frozen=True)
class Matrix:
    claims: tuple[Any, ...]       # the catalogue entries measured, in id order
    envs: tuple[EnvResult, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(e.blocking() for e in self.envs) else 0

    def env(self, name: str) -> EnvResult:
        return next(e for e in self.envs if e.name == name)


def measure_env(env: Environment, toolkit: Toolkit, only: Iterable[str] | None,
                stacks_dir: Path | None = None) -> EnvResult:
    """One environment's verdicts: synthesized into a scratch folder unless `stacks_dir` is given."""
    only = list(only) if only is not None else None
    if stacks_dir is not None:
        verdicts = toolkit.evaluate(toolkit.load_stacks(stacks_dir), env, only)
    else:
        with tempfile.TemporaryDirectory(prefix=f"design-{env.name}-") as scratch:
            stacks = toolkit.synthesize(env, Path(scratch) / "cdktf.out")
            verdicts = toolkit.evaluate(toolkit.load_stacks(stacks), env, only)
    if only is not None:
        verdicts = {cid: v for cid, v in verdicts.items() if cid in only}
    return EnvResult(env.name, env.profile, dict(verdicts))


def claim_order(claim: Any) -> tuple[str, int, str]:
    """A before D, then by number (A9 before A10)."""
    digits = "".join(ch for ch in claim.id if ch.isdigit())
    return claim.id[:1], int(digits or 0), claim.id


def measure(envs: Iterable[Environment], toolkit: Toolkit, only: Iterable[str] | None = None,
            stacks_dirs: Mapping[str, Path] | None = None) -> Matrix:
    claims = tuple(sorted(toolkit.load_catalogue(), key=claim_order))
    if only is not None:
        wanted = set(only)
        claims = tuple(c for c in claims if c.id in wanted)
    results = tuple(measure_env(env, toolkit, only, (stacks_dirs or {}).get(env.name)) for env in envs)
    return Matrix(claims, results)
