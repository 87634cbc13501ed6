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


def read_instance(aws: Aws, instance: Instance) -> Finding:
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
    changes = live_changes(rtype, instance.attributes, live)
    return Finding("changed" if changes else "ok", address, rtype, changes=changes)


def check_live(aws: Aws, state: State) -> list[Finding]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        return list(pool.map(lambda i: read_instance(aws, i), state.instances))


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

    def aws(self, region: str) -> Aws:
        return Aws(region=region, profile=self.args.profile, endpoint_url=self.args.aws_endpoint_url,
                   timeout=self.args.timeout)

    def __call__(self, layer: str) -> LayerResult:
        try:
            config = load_configuration(self.stacks / layer)
            with self.lock:
                self.region = self.region or config.region
                self.tags = self.tags or default_tags(config.path)
            state = load(self.args.state, layer, config.backend,
                         S3Options(self.args.profile, self.args.endpoint_url, self.args.timeout), self.single)
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
