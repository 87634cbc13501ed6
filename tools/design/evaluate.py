"""Claims x one environment's stacks -> a verdict per claim id.

Out-of-scope claims are "out-of-scope" (with the reason), claims that do not apply to the
environment or its region are "not-applicable"; every other claim runs its registered check. A claim
in scope without a check, or whose check raises, is "unknown" with the reason, never "pass".
"""
from __future__ import annotations

from typing import Iterable, Protocol

from tools.design.catalogue import Claim, load_catalogue
from tools.design.checks import registered
from tools.design.stacks import Stacks
from tools.design.verdict import Verdict


CHECK_RAISED = "the check raised"


class EnvironmentLike(Protocol):   # settings.Environment; only these two fields are read
    @property
    def name(self) -> str: ...
    @property
    def region(self) -> str: ...


def evaluate(stacks: Stacks, env: EnvironmentLike, only: Iterable[str] | None = None,
             catalogue: tuple[Claim, ...] | None = None) -> dict[str, Verdict]:
    claims = catalogue if catalogue is not None else load_catalogue()
    by_id = {claim.id: claim for claim in claims}
    wanted = list(by_id) if only is None else list(dict.fromkeys(only))
    missing = [claim_id for claim_id in wanted if claim_id not in by_id]
    if missing:
        raise KeyError(f"unknown claim id {missing[0]} (the catalogue has {len(by_id)} claims)")
    return {claim_id: verdict_for(by_id[claim_id], stacks, env) for claim_id in wanted}


def verdict_for(claim: Claim, stacks: Stacks, env: EnvironmentLike) -> Verdict:
    if claim.scope == "out-of-scope":
        return Verdict("out-of-scope", claim.reason)
    if env.name in claim.not_in_envs:
        return Verdict("not-applicable", f"the claim does not apply to the environment {env.name}")
    if env.region in claim.not_in_regions:
        return Verdict("not-applicable", f"the claim does not apply to the region {env.region}")
    registered_check = registered().get(claim.id)
    if registered_check is None:
        return Verdict("unknown", f"no check is registered for {claim.id}")
    try:
        return registered_check(stacks)
    except Exception as error:  # one broken check must not hide the verdicts of the others
        return Verdict("unknown", f"{CHECK_RAISED} {type(error).__name__}: {error}")
