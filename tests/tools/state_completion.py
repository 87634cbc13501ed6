"""The state fixtures completed as an applied state holds them: the fixtures come from plans, where
every value known only after apply is absent (a subnet's `vpc_id`, a bucket's ARN, the outputs).
Completing fills, in a copy of a state folder,

- every attribute the synthesized configuration sets from a reference (`${aws_vpc.vpc.id}`) and the
  state lacks, with the reference's value in that state;
- `tags_all`, the provider's default tags merged with the instance's tags;
- every computed-only string attribute the state lacks, with a made-up value (`arn:aws:...`);
- every optional and computed attribute the state lacks (the provider fills it on read): an empty
  collection, false or 0 (`managed_policy_arns`, a security group's `egress`, `availability_zones`);
- the VPC's IPv6 block (`cidrsubnet` needs a real one) and the Aurora cluster's managed master secret;
- the marks of sensitive values (`sensitive_attributes`);
- the outputs, from the configuration's output expressions over the completed state.

usage: python -m tests.tools.state_completion STACKS_DIR STATE_DIR   # completes STATE_DIR in place

Layers are completed in dependency order, so that a layer's outputs read another's completed outputs.
"""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from tools.drift.addresses import Address, module_path
from tools.drift.config import Configuration, load_configuration, stack_layers
from tools.drift.moves import land
from tools.drift.resolve import RemoteOutputs, RemoteStates, Resolution, no_remote_state, unknowns
from tools.drift.schema import Block, resource_schema
from tools.drift.state import Instance, S3Options

ACCOUNT = "123456789012"
VPC_IPV6 = "2600:1f14:abc:de00::/56"


def _known(value: Any) -> bool:
    return value is not None and not unknowns(value) and "${" not in json.dumps(value, default=str)


# AWS's own identifier and ARN forms for the types whose ids and ARNs other values are built from
# (policies, dimensions, permissions): a made-up `<type>-<n>` there would be a difference no real
# state has.
ID_FROM = {"aws_s3_bucket": "bucket", "aws_iam_role": "name", "aws_cloudwatch_log_group": "name",
           "aws_lambda_function": "function_name", "aws_rds_cluster": "cluster_identifier",
           "aws_rds_cluster_instance": "identifier", "aws_ssm_parameter": "name", "aws_db_subnet_group": "name",
           "aws_ecr_repository": "name", "aws_kms_alias": "name", "aws_cloudtrail": "name",
           "aws_iam_instance_profile": "name", "aws_cloudwatch_dashboard": "dashboard_name",
           "aws_cloudwatch_metric_alarm": "alarm_name", "aws_ecs_task_definition": "family"}
ARN_FORMS = {
    "aws_s3_bucket": "arn:aws:s3:::{bucket}",
    "aws_sns_topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws_iam_role": "arn:aws:iam::{account}:role/{name}",
    "aws_iam_policy": "arn:aws:iam::{account}:policy/{name}",
    "aws_iam_instance_profile": "arn:aws:iam::{account}:instance-profile/{name}",
    "aws_lambda_function": "arn:aws:lambda:{region}:{account}:function:{function_name}",
    "aws_cloudwatch_log_group": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws_kms_key": "arn:aws:kms:{region}:{account}:key/{id}",
    "aws_secretsmanager_secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
    "aws_ecs_cluster": "arn:aws:ecs:{region}:{account}:cluster/{name}",
    "aws_cloudtrail": "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    "aws_rds_cluster": "arn:aws:rds:{region}:{account}:cluster:{cluster_identifier}",
    "aws_ecr_repository": "arn:aws:ecr:{region}:{account}:repository/{name}",
}
ID_IS_ARN = frozenset({"aws_sns_topic", "aws_iam_policy", "aws_ecs_cluster", "aws_secretsmanager_secret"})


def _identify(rtype: str, attributes: dict[str, Any], region: str, account: str) -> None:
    """The instance's id and ARN in AWS's forms, where the type has them."""
    if attributes.get(ID_FROM.get(rtype, "")):
        attributes["id"] = attributes[ID_FROM[rtype]]
    form = ARN_FORMS.get(rtype)
    if form and not attributes.get("arn"):
        try:
            attributes["arn"] = form.format(region=region, account=account, **{k: v for k, v in attributes.items()
                                                                              if k not in ("region", "account")})
        except KeyError:
            return
    if rtype in ID_IS_ARN and attributes.get("arn"):
        attributes["id"] = attributes["arn"]
    if rtype == "aws_lambda_function" and attributes.get("arn"):
        attributes.setdefault("invoke_arn", None)
        attributes["invoke_arn"] = attributes["invoke_arn"] or \
            f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{attributes['arn']}/invocations"


def _account(document: dict[str, Any]) -> str:
    found = re.findall(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):", json.dumps(document))
    return max(set(found), key=found.count) if found else ACCOUNT


MADE_UP = "made-up-"     # in every invented value, so a test can tell it from a value of the original


def _made_up(rtype: str, attribute: str, identifier: str, region: str) -> str:
    if attribute == "arn" or attribute.endswith("_arn"):
        service = rtype.removeprefix("aws_").split("_")[0]
        return f"arn:aws:{service}:{region}:{ACCOUNT}:{rtype.removeprefix('aws_')}/{MADE_UP}{identifier}"
    if attribute == "ipv6_cidr_block" and rtype == "aws_vpc":
        return VPC_IPV6
    if attribute == "arn_suffix":
        return f"app/{MADE_UP}{identifier}/0123456789abcdef"
    return f"{MADE_UP}{attribute}-{identifier}"


def _empty_of(ctype: Any) -> Any:
    """What the provider's read leaves in an optional, computed attribute nobody set: an empty
    collection, false, 0; a string gets no made-up value (it might be compared)."""
    if isinstance(ctype, list) and ctype[0] in ("list", "set"):
        return []
    if isinstance(ctype, list) and ctype[0] == "map":
        return {}
    return {"bool": False, "number": 0}.get(ctype) if isinstance(ctype, str) else None


def _instances(document: dict[str, Any]):
    for resource in document.get("resources") or []:
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances") or []:
            address = Address(module_path(resource.get("module")), resource["type"], resource["name"],
                              instance.get("index_key"))
            yield address, instance["attributes"]


def _fill(raw: Any, value: Any, state: dict[str, Any], name: str, block: Block | None) -> None:
    """Set state[name] from the evaluated configured value where the state lacks it and the
    configuration wrote a reference; into nested blocks element by element. A block is a list of
    objects in a state, however the configuration wrote it."""
    current = state.get(name)
    nested = block.nested(name) if block is not None else None
    if isinstance(raw, (dict, list)) and current not in (None, [], {}):
        raws = raw if isinstance(raw, list) else [raw]
        values = value if isinstance(value, list) else [value]
        states = current if isinstance(current, list) else [current]
        if len(raws) == len(values) == len(states):
            for raw_item, value_item, state_item in zip(raws, values, states):
                if isinstance(raw_item, dict) and isinstance(value_item, dict) and isinstance(state_item, dict):
                    for key in raw_item:
                        _fill(raw_item[key], value_item.get(key), state_item, key, nested[1] if nested else None)
        return
    if "${" in json.dumps(raw, default=str) and current in (None, "", []) and _known(value):
        state[name] = [value] if nested is not None and isinstance(value, dict) else value


def _default_tags(config: Configuration) -> dict[str, str]:
    providers = (json.loads(config.path.read_text()).get("provider") or {}).get("aws") or []
    for provider in providers if isinstance(providers, list) else [providers]:
        if "alias" not in provider:
            blocks = provider.get("default_tags") or []
            return dict((blocks[0] if isinstance(blocks, list) and blocks else blocks or {}).get("tags") or {})
    return {}


class _Completing(Resolution):
    """References answered as in drift config, and the caller identity as the states' own account
    (terraform reads it from AWS; the completed state must hold what it would have read)."""

    def __init__(self, config: Configuration, instances: Any, remote: RemoteOutputs, account: str):
        super().__init__(config, instances, remote)
        self.account = account

    def resolve(self, root: tuple[str, ...]) -> Any:
        if root[:2] == ("data", "aws_caller_identity"):
            return {"account_id": self.account, "id": self.account, "arn": f"arn:aws:iam::{self.account}:root"}
        return super().resolve(root)


def complete_state(document: dict[str, Any], config: Configuration, remote: RemoteOutputs = no_remote_state,
                   account: str | None = None) -> dict[str, Any]:
    """A copy of one layer's state document completed against its configuration (see above)."""
    document = copy.deepcopy(document)
    region = config.region or "us-west-2"
    by_address = dict(_instances(document))
    account = account or _account(document)
    for address, attributes in by_address.items():
        _identify(address.type, attributes, region, account)
    for address, attributes in by_address.items():
        schema = resource_schema(address.type)
        for name, entry in ((schema.raw["attributes"] if schema else {}) or {}).items():
            if attributes.get(name) is None and (entry.get("computed_only") and entry.get("type") == "string"
                                                 or (address.type, name) == ("aws_vpc", "ipv6_cidr_block")):
                attributes[name] = _made_up(address.type, name, str(attributes.get("id", address.name)), region)
            elif attributes.get(name) is None and (entry.get("optional_computed") or entry.get("computed_only")):
                filled = _empty_of(entry.get("type"))
                if filled is not None:
                    attributes[name] = filled
        if address.type == "aws_rds_cluster" and attributes.get("manage_master_user_password") \
                and not attributes.get("master_user_secret"):
            attributes["master_user_secret"] = [{
                "kms_key_id": f"arn:aws:kms:{region}:{ACCOUNT}:key/made-up",
                "secret_arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:rds!cluster-{attributes.get('id')}",
                "secret_status": "active"}]
    defaults = _default_tags(config)
    for address, attributes in by_address.items():
        schema = resource_schema(address.type)
        if schema is not None and "tags_all" in schema.raw["attributes"] and attributes.get("tags_all") is None:
            attributes["tags_all"] = {**defaults, **(attributes.get("tags") or {})}
    landings = land(config, list(by_address))
    for _ in range(3):      # references into references settle in a few rounds
        planned = {l.final: Instance(l.original, by_address[l.original]) for l in landings
                   if config.resource(l.final) is not None}
        resolution = _Completing(config, planned, remote, account)
        for landing in landings:
            resource = config.resource(landing.final)
            if resource is None:
                continue
            for name, value in (resolution.body(resource) or {}).items():
                _fill(resource.body.get(name), value, by_address[landing.original], name,
                      resource_schema(resource.type))
    planned = {l.final: Instance(l.original, by_address[l.original]) for l in landings}
    resolution = _Completing(config, planned, remote, account)
    outputs = {}
    for name, block in (json.loads(config.path.read_text()).get("output") or {}).items():
        value = resolution.value(block.get("value"))
        if _known(value) or value is None:
            outputs[name] = {"value": value, "type": _type_of(value)}
    document["outputs"] = outputs
    _mark_sensitive(document)
    return document


def _mark_sensitive(document: dict[str, Any]) -> None:
    """An applied state lists the paths of its sensitive attributes, null ones included (terraform
    marks them from the schema); it plans an update where only the marking differs."""
    for resource in document.get("resources") or []:
        schema = resource_schema(resource["type"])
        if schema is None:
            continue
        for instance in resource.get("instances") or []:
            attributes = instance["attributes"]
            instance["sensitive_attributes"] = [[{"type": "get_attr", "value": name}]
                                                for name in sorted(schema.raw["attributes"]) if schema.is_sensitive(name)]


def complete_layer(stacks: Path, states: Path, layer: str, account: str | None = None) -> None:
    path = states / f"{layer}.tfstate"
    if not path.is_file():
        return
    remote = RemoteStates(stacks, str(states), S3Options(), False)
    document = complete_state(json.loads(path.read_text()), load_configuration(stacks / layer), remote, account)
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


def _type_of(value: Any) -> Any:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str) or value is None:
        return "string"
    if isinstance(value, list):
        return ["tuple", [_type_of(v) for v in value]]
    return ["object", {k: _type_of(v) for k, v in value.items()}]


def complete(stacks: Path, states: Path) -> None:
    account = _account({"states": [json.loads(p.read_text()) for p in sorted(states.glob("*.tfstate"))]})
    for layer in stack_layers(stacks):      # 01 .. 12: every producer comes before its readers
        complete_layer(stacks, states, layer, account)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(1)
    complete(Path(sys.argv[1]), Path(sys.argv[2]))
