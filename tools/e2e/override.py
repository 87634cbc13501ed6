"""The scratch override (`zz_override.tf.json`) that points one synthesized stack at moto.

Terraform merges an override file over the configuration without the configuration being edited:
- `terraform`: the version constraints relaxed to the installed terraform and the mirrored provider,
  and the S3 backend (replaced whole by Terraform's merge rules, so written whole) with the same
  bucket, key, region, encryption and native locking, sent to moto path-style with fake credentials;
- `provider.aws`: every endpoint at moto, fake credentials, the checks that need a real account off;
- `data.terraform_remote_state.*`: each read's `config` (replaced whole) sent to moto the same way;
- `resource.<type>.<name>`: what moto cannot serve (`moto_gaps`): attributes unset, attributes
  moto does not keep in `lifecycle.ignore_changes`, types it cannot serve at all `count = 0`; and
  resources with a defect of the stack itself (`defects`), `count = 0`; each listed in the report.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.e2e.moto_gaps import EXCLUDED_TYPES, IGNORED, PLAIN_HTTP, UNSET

FAKE = {"access_key": "test", "secret_key": "test"}
BACKEND_CHECKS_OFF = {"skip_credentials_validation": True, "skip_requesting_account_id": True,
                      "skip_metadata_api_check": True, "skip_region_validation": True, "use_path_style": True}
PROVIDER_CHECKS_OFF = {"skip_credentials_validation": True, "skip_metadata_api_check": True,
                       "skip_region_validation": True, "s3_use_path_style": True}

@dataclass(frozen=True)
class Target:
    """Where the stack runs: moto's URL, the provider endpoints to send there, the versions to relax to."""

    moto_url: str
    endpoints: tuple[str, ...]
    terraform_version: str
    aws_version: str


@dataclass(frozen=True)
class Exclusion:
    """Something of the configuration the scratch override takes out, and why."""

    address: str
    attributes: tuple[str, ...]    # () when the whole resource is left out
    what: str


@dataclass(frozen=True)
class Override:
    content: dict[str, Any]
    excluded: tuple[Exclusion, ...]

    def write(self, workdir: Path) -> Path:
        path = workdir / "zz_override.tf.json"
        path.write_text(json.dumps(self.content, indent=1, sort_keys=True) + "\n")
        return path


def s3_settings(url: str) -> dict[str, Any]:
    return {**FAKE, **BACKEND_CHECKS_OFF, "endpoints": {"s3": url, "sts": url, "iam": url}}


def override_for(stack: Mapping[str, Any], target: Target, defects: Mapping[str, str] | None = None) -> Override:
    """The override for one stack; `defects`: address -> what is wrong with it (tools.e2e.defects),
    left out like a type moto cannot serve."""
    terraform = stack.get("terraform") or {}
    backends = terraform.get("backend") or {}
    backend = backends.get("s3")
    if backend is None and "local" not in backends:
        raise ValueError(f"the stack's backend is {sorted(backends)}, neither s3 nor local")
    others = sorted(set(terraform.get("required_providers") or {}) - {"aws"})
    if others:
        raise ValueError(f"the stack requires providers that cannot be installed here: {others}")
    content: dict[str, Any] = {
        "terraform": {
            "required_version": f">= {target.terraform_version}",
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": target.aws_version}},
            # a local backend (00-bootstrap, which makes the state bucket) keeps its state in the scratch copy
            "backend": ({"s3": {**backend, **s3_settings(target.moto_url)}} if backend is not None
                        else {"local": {"path": "terraform.tfstate"}}),
        },
        "provider": {"aws": [_provider(p, target) for p in _as_list((stack.get("provider") or {}).get("aws") or [{}])]},
    }
    reads = ((stack.get("data") or {}).get("terraform_remote_state") or {})
    if reads:
        content.setdefault("data", {})["terraform_remote_state"] = {
            name: {"config": {**_remote_config(name, body), **s3_settings(target.moto_url)}}
            for name, body in sorted(reads.items())
        }
    excluded = []
    resources = stack.get("resource") or {}
    left_out = _excluded_resources(resources, defects or {})
    for address, why in left_out.items():
        rtype, name = address.split(".", 1)
        body = resources[rtype][name]
        over = {"for_each": {}} if "for_each" in body else {"count": 0}
        # A reference to a resource with count must name an instance; `one(x[*].attr)` does (null here).
        over.update({attribute: _through_splat(value, left_out) for attribute, value in body.items()
                     if attribute not in ("//", "depends_on", "lifecycle", "count", "for_each")
                     and any(_references(value, a) for a in left_out)})
        content.setdefault("resource", {}).setdefault(rtype, {})[name] = over
        excluded.append(Exclusion(address, (), f"not created: {why}"))
    for name, body in sorted((stack.get("output") or {}).items()):
        refs = sorted(a for a in left_out if _references(body, a))
        if refs:
            content.setdefault("output", {})[name] = {"value": None}
            excluded.append(Exclusion(f"output.{name}", (), f"null: reads {', '.join(refs)}, which is not created"))
    for gap in UNSET:
        for name, body in sorted((resources.get(gap.rtype) or {}).items()):
            touched = gap.applies_to(body)
            if touched:
                over = content.setdefault("resource", {}).setdefault(gap.rtype, {}).setdefault(name, {})
                over.update({attribute: gap.values[attribute] for attribute in touched})
                excluded.append(Exclusion(f"{gap.rtype}.{name}", touched,
                                          f"{', '.join(touched)} unset: moto {gap.api} {gap.reason}"))
    for gap in IGNORED:
        for name, body in sorted((resources.get(gap.rtype) or {}).items()):
            touched = gap.applies_to(body)
            if touched:
                over = content.setdefault("resource", {}).setdefault(gap.rtype, {}).setdefault(name, {})
                lifecycle = over.setdefault("lifecycle", dict(body.get("lifecycle") or {}))
                ignored = lifecycle.get("ignore_changes") or []
                if ignored != "all":
                    lifecycle["ignore_changes"] = sorted(set(ignored) | set(touched))
                excluded.append(Exclusion(f"{gap.rtype}.{name}", touched,
                                          f"{', '.join(touched)} ignored: moto {gap.api} {gap.reason}"))
    return Override(content, tuple(excluded))


def _excluded_resources(resources: Mapping[str, Mapping[str, Any]], defects: Mapping[str, str]) -> dict[str, str]:
    """address -> why, for every resource of an excluded type, every resource with a defect of the
    stack (`defects`) and, transitively, every resource that references one (it could not be
    created without it)."""
    excluded = {f"{rtype}.{name}": f"moto lacks {EXCLUDED_TYPES[rtype]}"
                for rtype, bodies in resources.items() if rtype in EXCLUDED_TYPES for name in bodies}
    for name, body in (resources.get("aws_s3_bucket_policy") or {}).items():
        if "aws:SecureTransport" in json.dumps(body):
            excluded[f"aws_s3_bucket_policy.{name}"] = PLAIN_HTTP
    excluded.update({address: f"defect of the stack (a bug to fix, not a moto gap): {what}"
                     for address, what in defects.items()})
    changed = True
    while changed:
        changed = False
        for rtype, bodies in sorted(resources.items()):
            for name, body in sorted(bodies.items()):
                address = f"{rtype}.{name}"
                if address in excluded:
                    continue
                refs = sorted(a for a in excluded if _references(body, a))
                if refs:
                    excluded[address] = f"references {', '.join(refs)}, which is not created"
                    changed = True
    return dict(sorted(excluded.items()))


def _through_splat(value: Any, addresses: Mapping[str, str]) -> Any:
    text = json.dumps(value)
    for address in addresses:
        text = re.sub(r"(?<![\w.])(" + re.escape(address) + r")((?:\.\w+)+)", r"one(\1[*]\2)", text)
    return json.loads(text)


def _references(body: Any, address: str) -> bool:
    return re.search(r"(?<![\w.])" + re.escape(address) + r"(?![\w])", json.dumps(body)) is not None


def _provider(block: Mapping[str, Any], target: Target) -> dict[str, Any]:
    over: dict[str, Any] = {**FAKE, **PROVIDER_CHECKS_OFF,
                            "endpoints": [{service: target.moto_url for service in target.endpoints}]}
    if block.get("alias"):
        over["alias"] = block["alias"]
    return over


def _remote_config(name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    if body.get("backend") not in (None, "s3"):
        raise ValueError(f"data.terraform_remote_state.{name} reads a {body.get('backend')!r} backend, not s3")
    config = dict(body.get("config") or {})
    for required in ("bucket", "key", "region"):
        if required not in config:
            raise ValueError(f"data.terraform_remote_state.{name} has no {required} in its config")
    return config


def _as_list(value: Any) -> list[Mapping[str, Any]]:
    return value if isinstance(value, list) else [value]
