"""The registry of checks: one function per claim id, with the small stacks it is tested on.

A check module (`checks/<section>.py`) registers each check with `@check("A14", passing=[...],
failing=[...])`: `passing` are fixtures (layer -> cdk.tf.json fragment) that realize the claim,
`failing` ones that break it. One parametrized test runs every registered check on both, so a check
cannot be added untested. Every module in this package is imported by `registered()`, so adding a
file is enough to register its checks.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from tools.design.stacks import Stacks
from tools.design.verdict import Verdict

Fixture = Mapping[str, Mapping[str, Any]]   # layer -> the fragment of its cdk.tf.json
CheckFn = Callable[[Stacks], Verdict]


@dataclass(frozen=True)
class RegisteredCheck:
    claim_id: str
    function: CheckFn
    passing: tuple[Fixture, ...]
    failing: tuple[Fixture, ...]

    def __call__(self, stacks: Stacks) -> Verdict:
        return self.function(stacks)


_REGISTRY: dict[str, RegisteredCheck] = {}
_LOADED = False


def check(claim_id: str, *, passing: Sequence[Fixture], failing: Sequence[Fixture]) -> Callable[[CheckFn], CheckFn]:
    """Register `function` as the check of `claim_id`, with at least one fixture each way."""
    if not passing or not failing:
        raise ValueError(f"check {claim_id}: needs at least one passing and one failing fixture")

    def register(function: CheckFn) -> CheckFn:
        if claim_id in _REGISTRY:
            raise ValueError(f"check {claim_id}: registered twice "
                             f"({_REGISTRY[claim_id].function.__module__} and {function.__module__})")
        _REGISTRY[claim_id] = RegisteredCheck(claim_id, function, tuple(passing), tuple(failing))
        return function
    return register


def registered() -> Mapping[str, RegisteredCheck]:
    """Every check of every module of this package, by claim id."""
    global _LOADED
    if not _LOADED:
        for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
            importlib.import_module(f"{__name__}.{module}")
        _LOADED = True
    return dict(sorted(_REGISTRY.items()))
