"""The scratch override (`zz_override.tf.json`) that points one synthesized stack at moto.

Terraform merges an override file over the configuration without the configuration being edited:
- `terraform`: the version constraints relaxed to the installed terraform and the mirrored provider,
  and the S3 backend (replaced whole by Terraform's merge rules, so written whole) with the same
  bucket, key, region, encryption and native locking, sent to moto path-style with fake credentials;
- `provider.aws`: every endpoint at moto, fake credentials, the checks that need a real account off;
- `data.terraform_remote_state.*`: each read's `config` (replaced whole) sent to moto the same way;
- `resource.<type>.<name>`: `count = 0` / `for_each = {}` for the resources of a type moto cannot
  serve at all (`EXCLUDED_TYPES`), each listed in the report.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKE = {"access_key": "test", "secret_key": "test"}
BACKEND_CHECKS_OFF = {"skip_credentials_validation": True, "skip_requesting_account_id": True,
                      "skip_metadata_api_check": True, "skip_region_validation": True, "use_path_style": True}
PROVIDER_CHECKS_OFF = {"skip_credentials_validation": True, "skip_metadata_api_check": True,
                       "skip_region_validation": True, "s3_use_path_style": True}

# Resource types that moto 5.1 cannot serve at all (type -> the API it lacks). Excluded in the scratch
# copy only, and listed per layer in the report. Empty while every type of the ported layers applies.
EXCLUDED_TYPES: Mapping[str, str] = {}


@dataclass(frozen=True)
class AttributeExclusion:
    """Attributes of one type that moto serves wrongly, unset (or set to a value that needs nothing
    from moto) in the scratch copy; a layer with one counts as partial."""

    rtype: str
    values: Mapping[str, Any]      # attribute -> value in the override (None: unset)
    reason: str


EXCLUDED_ATTRIBUTES: tuple[AttributeExclusion, ...] = (
    AttributeExclusion(
        "aws_subnet", {"ipv6_cidr_block": None, "assign_ipv6_address_on_creation": False},
        "moto 5.1.22 EC2 DescribeSubnets renders Ipv6CidrBlockAssociationSet[].Ipv6CidrBlockState.State as "
        "\"{'State': 'associated'}\", so the provider waits for 'associated' until it times out"),
)


@dataclass(frozen=True)
class Target:
    """Where the stack runs: moto's URL, the provider endpoints to send there, the versions to relax to."""

    moto_url: str
    endpoints: tuple[str, ...]
    terraform_version: str
    aws_version: str


@dataclass(frozen=True)
class Override:
    content: dict[str, Any]
    excluded: tuple[str, ...]  # "aws_x.name (lacks Service:Api)"

    def write(self, workdir: Path) -> Path:
        path = workdir / "zz_override.tf.json"
        path.write_text(json.dumps(self.content, indent=1, sort_keys=True) + "\n")
        return path


def s3_settings(url: str) -> dict[str, Any]:
    return {**FAKE, **BACKEND_CHECKS_OFF, "endpoints": {"s3": url, "sts": url, "iam": url}}


def override_for(stack: Mapping[str, Any], target: Target) -> Override:
    terraform = stack.get("terraform") or {}
    backend = (terraform.get("backend") or {}).get("s3")
    if backend is None:
        raise ValueError("the stack has no S3 backend; the end-to-end run needs one to share state")
    others = sorted(set(terraform.get("required_providers") or {}) - {"aws"})
    if others:
        raise ValueError(f"the stack requires providers that cannot be installed here: {others}")
    content: dict[str, Any] = {
        "terraform": {
            "required_version": f">= {target.terraform_version}",
            "required_providers": {"aws": {"source": "hashicorp/aws", "version": target.aws_version}},
            "backend": {"s3": {**backend, **s3_settings(target.moto_url)}},
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
    for rtype, resources in sorted((stack.get("resource") or {}).items()):
        if rtype in EXCLUDED_TYPES:
            for name, body in sorted(resources.items()):
                content.setdefault("resource", {}).setdefault(rtype, {})[name] = (
                    {"for_each": {}} if "for_each" in body else {"count": 0})
                excluded.append(f"{rtype}.{name} (moto lacks {EXCLUDED_TYPES[rtype]})")
    for exclusion in EXCLUDED_ATTRIBUTES:
        for name, body in sorted(((stack.get("resource") or {}).get(exclusion.rtype) or {}).items()):
            touched = sorted(set(exclusion.values) & set(body))
            if touched:
                content.setdefault("resource", {}).setdefault(exclusion.rtype, {})[name] = {
                    attribute: exclusion.values[attribute] for attribute in touched}
                excluded.append(f"{exclusion.rtype}.{name}: {', '.join(touched)} ({exclusion.reason})")
    return Override(content, tuple(excluded))


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
