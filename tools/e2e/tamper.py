"""Changes made behind Terraform's back with boto3, each one a thing a person could do in the console.

Each case finds its object in a layer's state (never in the configuration), changes it in moto, and
says which address a plan must then show with which action. A case whose layer did not apply, or
whose layer has no such object, says so in the report instead of passing.

The three cases of the issue, or their nearest equivalents in the ported layers: a security-group
rule revoked (02-security), an SSM parameter's value overwritten (04-parameter-store), and an ECS
service's desired count changed (07-application) — until 07 exists, the Lambda function's memory
size (06-lambda-genai), the nearest capacity setting of a deployed compute service.

The layer named by a case is where the ported layers keep that type; an environment whose stacks keep
it elsewhere (a To-Be profile) is served by `placed`, which looks the type up in the applied stacks.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tools.e2e.state import Instance, State


@dataclass(frozen=True)
class Tampered:
    case: str
    layer: str
    address: str
    action: str        # what terraform must plan: "create" (object gone) or "update"
    change: str        # what was done, for the report


@dataclass(frozen=True)
class Case:
    name: str
    layer: str
    rtype: str
    apply: Callable[[Any, Instance], tuple[str, str]]  # (client factory, instance) -> (action, change)
    config_ok: Callable[[Mapping[str, Any]], bool] = lambda body: True  # config does not ignore the change


def _revoke_ingress_rule(clients: Any, inst: Instance) -> tuple[str, str]:
    ec2 = clients("ec2")
    ec2.revoke_security_group_ingress(GroupId=inst.attributes["security_group_id"],
                                      SecurityGroupRuleIds=[inst.attributes["id"]])
    return "create", f"revoked rule {inst.attributes['id']} of {inst.attributes['security_group_id']}"


def _overwrite_parameter(clients: Any, inst: Instance) -> tuple[str, str]:
    ssm = clients("ssm")
    ssm.put_parameter(Name=inst.attributes["name"], Value="changed-behind-terraform", Type="String", Overwrite=True)
    return "update", f"value of {inst.attributes['name']} overwritten"


def _ecs_desired_count(clients: Any, inst: Instance) -> tuple[str, str]:
    ecs = clients("ecs")
    count = int(inst.attributes.get("desired_count") or 0) + 1
    ecs.update_service(cluster=inst.attributes["cluster"], service=inst.attributes["name"], desiredCount=count)
    return "update", f"desired count of {inst.attributes['name']} set to {count}"


def _lambda_memory(clients: Any, inst: Instance) -> tuple[str, str]:
    size = int(inst.attributes.get("memory_size") or 128) + 128
    clients("lambda").update_function_configuration(FunctionName=inst.attributes["function_name"], MemorySize=size)
    return "update", f"memory size of {inst.attributes['function_name']} set to {size} MB"


def _not_ignoring(*attributes: str) -> Callable[[Mapping[str, Any]], bool]:
    def ok(body: Mapping[str, Any]) -> bool:
        ignored = (body.get("lifecycle") or {}).get("ignore_changes") or []
        return ignored != "all" and not set(attributes) & set(ignored)
    return ok


CASES: tuple[Case, ...] = (
    Case("security-group rule revoked", "02-security", "aws_vpc_security_group_ingress_rule", _revoke_ingress_rule),
    Case("SSM parameter value overwritten", "04-parameter-store", "aws_ssm_parameter", _overwrite_parameter,
         _not_ignoring("value", "insecure_value")),
    Case("ECS service desired count changed", "07-application", "aws_ecs_service", _ecs_desired_count,
         _not_ignoring("desired_count")),
)
# Stands in for the ECS case while 07-application has no stack.
STAND_INS: Mapping[str, Case] = {
    "ECS service desired count changed": Case("Lambda memory size changed (stands in for ECS desired count)",
                                              "06-lambda-genai", "aws_lambda_function", _lambda_memory,
                                              _not_ignoring("memory_size")),
}


def cases_for(stacks: Mapping[str, Mapping[str, Any]]) -> list[Case]:
    """Each case placed in the layer whose stack (layer -> its applied stack, in deploy order)
    configures its type; a case no stack can serve is replaced by its stand-in, if it has one."""
    chosen = []
    for case in CASES:
        found = placed(case, stacks)
        if found is None and case.name in STAND_INS:
            found = placed(STAND_INS[case.name], stacks)
        chosen.append(found or case)  # unplaced: `pick` says why it was skipped
    return chosen


def placed(case: Case, stacks: Mapping[str, Mapping[str, Any]]) -> Case | None:
    """The case in its own layer when that stack configures the type, else in the first stack that does."""
    def configures(layer: str) -> bool:
        return any(case.config_ok(body) for body in ((stacks[layer].get("resource") or {}).get(case.rtype) or {}).values())

    if case.layer in stacks and configures(case.layer):
        return case
    return next((replace(case, layer=layer) for layer in stacks if configures(layer)), None)


def pick(case: Case, state: State | None, stack: Mapping[str, Any] | None) -> Instance | str:
    """The object a case changes (the first by address, whose configuration does not ignore the
    change), or why there is none."""
    if state is None or stack is None:
        return f"{case.layer} was not applied"
    configured = (stack.get("resource") or {}).get(case.rtype) or {}
    for inst in sorted(state.instances(case.rtype), key=lambda i: i.address):
        name = inst.address.split(".", 1)[1].split("[", 1)[0]
        if name in configured and case.config_ok(configured[name]):
            if case.rtype == "aws_ssm_parameter" and inst.attributes.get("type") == "SecureString":
                continue  # never read or write a secret's value
            return inst
    return f"{case.layer} has no {case.rtype} to change"
