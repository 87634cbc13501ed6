"""`live` mode: every instance of a layer's state read back with its type's reader."""
from __future__ import annotations

import concurrent.futures
import json
import threading
from pathlib import Path

from tools.drift.config import load_configuration
from tools.drift.findings import Finding, LayerResult
from tools.drift.live import readers_application, readers_ec2, readers_identity_data, readers_operations  # noqa: F401
from tools.drift.live.base import REGISTRY, Aws, Missing, ReadError
from tools.drift.live.compare import live_changes
from tools.drift.live.unmanaged import find_unmanaged, name_prefix_from_tags
from tools.drift.state import Instance, S3Options, State, load

UNMANAGED_LAYER = "(unmanaged)"
READ_THREADS = 8


# An attribute that another resource of the same state manages: (type, attribute, key attribute,
# owner type, owner's key attribute). The owner's reader compares it; the first resource's state
# keeps what AWS answered when it was last read (a topic's default policy before aws_sns_topic_policy
# replaced it, a group's rules as they were when another layer added its own), which terraform
# refreshes without a change because the configuration does not set it.
MANAGED_ELSEWHERE: tuple[tuple[str, str, str, str, str], ...] = (
    ("aws_sns_topic", "policy", "arn", "aws_sns_topic_policy", "arn"),
    ("aws_security_group", "ingress", "id", "aws_vpc_security_group_ingress_rule", "security_group_id"),
    ("aws_security_group", "egress", "id", "aws_vpc_security_group_egress_rule", "security_group_id"),
    ("aws_security_group", "ingress", "id", "aws_security_group_rule", "security_group_id"),
    ("aws_security_group", "egress", "id", "aws_security_group_rule", "security_group_id"),
)


def managed_elsewhere(state: State) -> dict[str, frozenset[str]]:
    """address -> the attributes of that instance another resource of the state manages."""
    found: dict[str, set[str]] = {}
    for rtype, attribute, key, owner, owner_key in MANAGED_ELSEWHERE:
        owned = {str(i.attributes.get(owner_key)) for i in state.instances if i.type == owner}
        for i in state.instances:
            if i.type == rtype and str(i.attributes.get(key)) in owned:
                found.setdefault(str(i.address), set()).add(attribute)
    return {address: frozenset(names) for address, names in found.items()}


def read_instance(aws: Aws, instance: Instance, skip: frozenset[str] = frozenset()) -> Finding:
    address, rtype = str(instance.address), instance.type
    read = REGISTRY.get(rtype)
    if read is None:
        return Finding("not_checked", address, rtype, message=f"no live reader for {rtype}")
    try:
        live = read(aws, instance.attributes)
    except Missing as gone:
        return Finding("missing", address, rtype, message=f"in the state, gone in AWS ({gone})")
    except ReadError as error:
        return Finding("error", address, rtype, message=str(error))
    except KeyError as error:
        return Finding("error", address, rtype, message=f"the state has no {error} to find it by")
    changes = live_changes(rtype, instance.attributes, {k: v for k, v in live.items() if k not in skip})
    return Finding("changed" if changes else "ok", address, rtype, changes=changes)


def check_live(aws: Aws, state: State) -> list[Finding]:
    skip = managed_elsewhere(state)
    with concurrent.futures.ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(lambda i: read_instance(aws, i, skip.get(str(i.address), frozenset())),
                             state.instances))


def default_tags(config_path: Path) -> dict[str, str]:
    data = json.loads(config_path.read_text())
    providers = (data.get("provider") or {}).get("aws") or []
    for provider in [providers] if isinstance(providers, dict) else providers:
        for block in provider.get("default_tags") or []:
            return dict(block.get("tags") or {})
    return {}


class LiveCheck:
    """The per-layer check, remembering each state so the unmanaged search can use them all."""

    def __init__(self, args, stacks: Path, single: bool):
        self.args, self.stacks, self.single = args, stacks, single
        self.states: dict[str, State | Exception] = {}
        self.lock = threading.Lock()
        self.region: str | None = None
        self.tags: dict[str, str] = {}
        self.tags_from: str | None = None   # the layer the region and tags were taken from

    def aws(self, region: str) -> Aws:
        return Aws(region=region, profile=self.args.profile, endpoint_url=self.args.aws_endpoint_url,
                   timeout=self.args.timeout)

    def __call__(self, layer: str) -> LayerResult:
        try:
            config = load_configuration(self.stacks / layer)
            # The platform's region and tags come from the layers in the state bucket, the lowest
            # first (the threads finish in any order): 00-bootstrap's own tags name no environment.
            if config.backend is not None:
                with self.lock:
                    if self.tags_from is None or layer < self.tags_from:
                        self.tags_from, self.region, self.tags = layer, config.region, default_tags(config.path)
            state = load(self.args.state, layer, config.backend,
                         S3Options(self.args.profile, self.args.endpoint_url, self.args.timeout), self.single,
                         config.local_state)
        except Exception as error:
            with self.lock:
                self.states[layer] = error
            raise
        with self.lock:
            self.states[layer] = state
        if not config.region:
            raise ValueError(f"{config.path}: the AWS provider has no region")
        return LayerResult(layer, "live", state.source, tuple(check_live(self.aws(config.region), state)))

    def unmanaged(self, layers: list[str]) -> LayerResult:
        broken = [layer for layer in layers if not isinstance(self.states.get(layer), State)]
        if broken:
            return LayerResult(UNMANAGED_LAYER, "live", error="cannot tell managed from unmanaged: no state read for "
                               + ", ".join(broken))
        if not self.region:
            return LayerResult(UNMANAGED_LAYER, "live", error="no region known from the stacks")
        states = [self.states[layer] for layer in layers]
        findings = find_unmanaged(self.aws(self.region), states, self.tags)
        prefix = name_prefix_from_tags(self.tags) or "(none)"
        return LayerResult(UNMANAGED_LAYER, "live", f"all {len(layers)} layers' states; name prefix {prefix}",
                           tuple(findings))


def live_check(args, stacks: Path, single: bool) -> LiveCheck:
    return LiveCheck(args, stacks, single)
