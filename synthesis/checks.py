"""Checks over all the stacks of one synthesis, run before the output is swapped in.

Each check is `check(env, stacks, stacks_dir) -> list[str]`: `stacks` are the built `LayerStack`s,
`stacks_dir` the scratch `stacks/` folder holding their `cdk.tf.json`. A non-empty list fails the
synthesis with every problem listed. They read the written JSON, not only the Python objects, so a
reference written by hand (outside the typed readers) is checked too.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from layers.outputs import LayerOutputs
from settings import Environment

Check = Callable[[Environment, Sequence, Path], list[str]]

STATE_KEY = re.compile(r"(?:^|/)(\d\d-[a-z0-9-]+)/terraform\.tfstate$")
OUTPUT_REFERENCE = re.compile(r"data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)")


def producer_of(state_key: str) -> str | None:
    match = STATE_KEY.search(state_key or "")
    return match[1] if match else None


def remote_reads(stack_json: dict) -> dict[str, tuple[str | None, set[str]]]:
    """`{data source name: (producer layer, {output names referenced})}` of one synthesized stack."""
    blocks = ((stack_json.get("data") or {}).get("terraform_remote_state") or {})
    reads = {name: (producer_of((body.get("config") or {}).get("key", "")), set()) for name, body in blocks.items()}
    text = json.dumps({k: v for k, v in stack_json.items() if k != "//"})
    for name, output in OUTPUT_REFERENCE.findall(text):
        reads.setdefault(name, (None, set()))[1].add(output)
    return reads


def cross_layer_outputs(env: Environment, stacks: Sequence, stacks_dir: Path,
                        declared: dict[str, LayerOutputs] | None = None) -> list[str]:
    """Every output a stack reads from another layer's state is one that layer declares (and, when
    that layer is synthesized too, one its stack writes)."""
    if declared is None:
        from layers import declared_outputs
        declared = declared_outputs()
    written = {path.parent.name: set(json.loads(path.read_text()).get("output") or {})
               for path in sorted(stacks_dir.glob("*/cdk.tf.json"))}
    problems = []
    for consumer in written:
        stack_json = json.loads((stacks_dir / consumer / "cdk.tf.json").read_text())
        for name, (producer, outputs) in sorted(remote_reads(stack_json).items()):
            if producer is None:
                problems.append(f"{consumer}: reads data.terraform_remote_state.{name}, which is no layer's state")
            elif producer not in declared:
                problems.append(f"{consumer}: reads the state of {producer}, which declares no outputs")
            else:
                for output in sorted(outputs):
                    if output not in declared[producer]:
                        problems.append(f"{consumer} reads output {output!r} of {producer}, "
                                        f"which {producer} does not declare")
                    elif producer in written and output not in written[producer]:
                        problems.append(f"{consumer} reads output {output!r} of {producer}, "
                                        f"which the synthesized {producer} stack does not write")
    return problems


REMOTE_OUTPUT = re.compile(r"\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)\}")
OWN_REFERENCE = re.compile(r"\$\{((?:aws|data)[a-z0-9_.]*?)\}")
LAMBDA_FUNCTION_ATTRIBUTE = re.compile(r"\.(arn|function_name|qualified_arn)$")


def shared_lambda_permissions(env: Environment, stacks: Sequence, stacks_dir: Path) -> list[str]:
    """A Lambda permission statement (function + statement id) declared by more than one stack must
    be declared alike (action, principal, source): each state then reads the one statement as it is
    configured and no plan changes it; two versions would replace each other on every apply.
    References through remote state are followed to the producing stack's output, so 09's
    `<08 output api_gateway_execution_arn>/*/*` and 08's `<rest api>.execution_arn/*/*` compare equal."""
    documents = {path.parent.name: json.loads(path.read_text()) for path in sorted(stacks_dir.glob("*/cdk.tf.json"))}

    def resolved(layer: str, value: str, depth: int = 0) -> str:
        stack_json = documents[layer]
        reads = (stack_json.get("data") or {}).get("terraform_remote_state") or {}

        def remote(match: re.Match) -> str:
            producer = producer_of(((reads.get(match[1]) or {}).get("config") or {}).get("key", ""))
            output = ((documents.get(producer) or {}).get("output") or {}).get(match[2])
            if producer is None or output is None or not isinstance(output.get("value"), str) or depth > 3:
                return match[0]
            return resolved(producer, output["value"], depth + 1)

        value = REMOTE_OUTPUT.sub(remote, value)
        return OWN_REFERENCE.sub(lambda m: "${" + f"{layer}:{m[1]}" + "}", value)

    statements: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    for layer, stack_json in documents.items():
        permissions = ((stack_json.get("resource") or {}).get("aws_lambda_permission") or {})
        for name, body in sorted(permissions.items()):
            function = LAMBDA_FUNCTION_ATTRIBUTE.sub("", resolved(layer, str(body.get("function_name"))).strip("${}"))
            arguments = json.dumps({k: resolved(layer, str(body.get(k))) for k in
                                    ("action", "principal", "source_arn", "source_account", "qualifier")},
                                   sort_keys=True)
            statements.setdefault((function, str(body.get("statement_id"))), {})[f"{layer}:{name}"] = (arguments, layer)
    problems = []
    for (function, statement_id), owners in sorted(statements.items()):
        if len({arguments for arguments, _ in owners.values()}) > 1:
            listed = "; ".join(f"{owner} {arguments}" for owner, (arguments, _) in sorted(owners.items()))
            problems.append(f"Lambda permission {statement_id!r} on {function} is declared differently by "
                            f"{len(owners)} stacks (each apply would replace the other's): {listed}")
    return problems
# ---------------------------------------------------------------------- what the ECS tasks read

TASK_REMOTE_OUTPUT = re.compile(r"^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)\}(:.*)?$")
# A stack output that hands out a secret some resource of that stack manages.
MANAGED_SECRET = re.compile(r"\$\{(?:aws_rds_cluster\.[a-z0-9_]+\.master_user_secret|"
                            r"aws_secretsmanager_secret\.[a-z0-9_]+\.(?:arn|id))")
SSM_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:parameter(/.*)$")
# A secret the task's own stack looks up by name (one that another layer creates empty).
SECRET_BY_NAME = re.compile(r"^\$\{data\.aws_secretsmanager_secret\.([A-Za-z0-9_-]+)\.arn\}(:.*)?$")


@dataclass(frozen=True)
class TaskRead:
    """One secret of one container: where it comes from, and whether that is known to exist."""

    layer: str
    family: str
    variable: str
    source: str
    verdict: str          # "created by <layer>", "declared external", or the problem
    ok: bool


def _stack_json(stacks_dir: Path) -> dict[str, dict]:
    return {path.parent.name: json.loads(path.read_text()) for path in sorted(stacks_dir.glob("*/cdk.tf.json"))}


def task_reads(env: Environment, stacks_dir: Path) -> list[TaskRead]:
    """Every secret every task definition of the synthesis reads, with where it is created. Reads the
    written JSON: a parameter name must be some stack's `aws_ssm_parameter` (or be listed in
    `application.external_parameters`); a value taken from another layer's state must be an output
    that layer writes from a secret it manages."""
    stacks = _stack_json(stacks_dir)
    parameters = {body.get("name"): layer for layer, stack in stacks.items()
                  for body in ((stack.get("resource") or {}).get("aws_ssm_parameter") or {}).values()}
    external = set(env.application.external_parameters)
    reads = []
    for layer, stack in stacks.items():
        remote = {name: producer_of((body.get("config") or {}).get("key", ""))
                  for name, body in ((stack.get("data") or {}).get("terraform_remote_state") or {}).items()}
        for task in ((stack.get("resource") or {}).get("aws_ecs_task_definition") or {}).values():
            family = task.get("family", "?")
            try:
                containers = json.loads(task.get("container_definitions") or "[]")
            except ValueError:
                reads.append(TaskRead(layer, family, "*", "container_definitions", "cannot be read as JSON", False))
                continue
            for container in containers:
                for secret in container.get("secrets") or []:
                    source = str(secret.get("valueFrom", ""))
                    verdict, ok = (_secret_by_name(source, stack, stacks) or
                                   _verdict(source, parameters, external, remote, stacks))
                    reads.append(TaskRead(layer, f"{family}/{container.get('name', '?')}", secret.get("name", "?"),
                                          source, verdict, ok))
    return reads


def _secret_by_name(source: str, stack: dict, stacks: dict) -> tuple[str, bool] | None:
    """For a secret looked up by name: which stack creates a secret of that name; None for other sources."""
    match = SECRET_BY_NAME.match(source)
    if not match:
        return None
    lookup = (((stack.get("data") or {}).get("aws_secretsmanager_secret") or {}).get(match[1]) or {})
    name = lookup.get("name")
    for layer, other in stacks.items():
        for body in ((other.get("resource") or {}).get("aws_secretsmanager_secret") or {}).values():
            if name is not None and body.get("name") == name:
                return f"secret {name} created by {layer}", True
    return f"secret {name or match[1]} looked up by name, which no stack creates", False


def _verdict(source: str, parameters: dict, external: set, remote: dict, stacks: dict) -> tuple[str, bool]:
    arn = SSM_ARN.match(source)
    name = arn[1] if arn else source
    if name.startswith("/"):
        if name in parameters:
            return f"parameter created by {parameters[name]}", True
        if name in external:
            return "parameter declared as created outside Terraform (application.external_parameters)", True
        return ("parameter that no stack creates and application.external_parameters does not list", False)
    match = TASK_REMOTE_OUTPUT.match(source)
    if match:
        producer = remote.get(match[1])
        if producer not in stacks:
            return f"output {match[2]} of {producer or match[1]}, a layer not synthesized here: cannot check", False
        output = (stacks[producer].get("output") or {}).get(match[2])
        if output is None:
            return f"output {match[2]} of {producer}, which that stack does not write", False
        if not MANAGED_SECRET.search(json.dumps(output.get("value"))):
            return f"output {match[2]} of {producer}, which is no secret that stack manages", False
        return f"secret managed by {producer} (output {match[2]})", True
    return "a value this check cannot trace (neither a parameter name nor another layer's secret output)", False


def task_reads_exist(env: Environment, stacks: Sequence, stacks_dir: Path) -> list[str]:
    """Every parameter and secret an ECS task reads is created by the layer that owns it, or declared
    in the environment data as created outside Terraform."""
    return [f"{r.layer}: {r.family} reads {r.variable} from {r.source}: {r.verdict}"
            for r in task_reads(env, stacks_dir) if not r.ok]


def no_webhook_url_in_function_environments(env: Environment, stacks: Sequence, stacks_dir: Path) -> list[str]:
    """No Lambda function carries a webhook URL in its plain environment (as the original's Slack
    notifier did): the URL is a credential, read from Secrets Manager at run time. Read from the
    written JSON, so a variable added by an override is caught too."""
    from modules.lambda_function import secret_url_variable

    problems = []
    for layer, stack in sorted(_stack_json(stacks_dir).items()):
        for name, function in sorted(((stack.get("resource") or {}).get("aws_lambda_function") or {}).items()):
            environment = function.get("environment") or {}
            for block in environment if isinstance(environment, list) else [environment]:
                for key in sorted((block or {}).get("variables") or {}):
                    if secret_url_variable(key):
                        problems.append(f"{layer}: aws_lambda_function.{name} has {key} in its plain environment: "
                                        "a webhook URL is a secret; read it from Secrets Manager")
    return problems


# What EC2 accepts in a security group's or a rule's description (the provider validates rule
# descriptions with it at plan time, EC2 refuses the rest at create): no apostrophe, no quote, no accent.
EC2_DESCRIPTION = re.compile(r"^[0-9A-Za-z_ .:/()#,@\[\]+=&;{}!$*-]*$")
SECURITY_GROUP_TYPES = ("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule",
                        "aws_vpc_security_group_egress_rule")


def security_group_descriptions(env: Environment, stacks: Sequence, stacks_dir: Path) -> list[str]:
    """Every description of a security group, of its inline rules and of a separate rule is one EC2
    accepts (found by the end-to-end run: an apostrophe failed staging's 06 at plan)."""
    problems = []
    for layer, stack in sorted(_stack_json(stacks_dir).items()):
        resources = stack.get("resource") or {}
        for rtype in SECURITY_GROUP_TYPES:
            for name, body in sorted((resources.get(rtype) or {}).items()):
                texts = [body.get("description")]
                texts += [rule.get("description") for block in ("ingress", "egress")
                          for rule in (body.get(block) or []) if isinstance(rule, dict)]
                for text in texts:
                    if isinstance(text, str) and "${" not in text and not EC2_DESCRIPTION.fullmatch(text):
                        problems.append(f"{layer}: {rtype}.{name} description {text!r} has characters EC2 refuses "
                                        "(allowed: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*)")
    return problems


SYNTHESIS_CHECKS: tuple[Check, ...] = (
    cross_layer_outputs,
    shared_lambda_permissions,
    task_reads_exist,
    no_webhook_url_in_function_environments,
    security_group_descriptions,
)
