"""SSM parameters that replace Spring Cloud Config, and the IAM policy that lets readers get them.

Two groups, as the original module kept them: `common` parameters (Type tag
`common-configuration`, Service `all`) and `environment` parameters (Type tag
`environment-configuration`, Service = the third path segment). Every parameter is a plain
`String` in the provider's default (Standard) tier, left unset as deployed; a parameter about a secret holds the secret's ARN, never its value,
so this construct takes no secure values at all.

Each resource declares its place in the original `parameter-store` module (`props.origin`), where
the parameters were keyed by their full name.

Holds no knowledge of what the parameters mean (the layer decides names and values).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.ssm_parameter import SsmParameter
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

PARAMETER_TYPE = "String"
SECURE_TYPE = "SecureString"
READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter: `id` names it in the stack, `name` is its full path in Parameter Store."""

    id: str
    name: str
    value: str
    secure: bool = False    # SecureString, encrypted with the account's aws/ssm key (§6.1, A52)


@dataclass(frozen=True)
class ParametersProps:
    naming: Naming
    origin: Origin
    region: str
    read_prefix: str
    common: tuple[ParameterSpec, ...]
    environment_specific: tuple[ParameterSpec, ...]
    overwrite: bool | None = None

    def __post_init__(self) -> None:
        ids = [p.id for p in self.common + self.environment_specific]
        if len(set(ids)) != len(ids):
            raise ValueError(f"ParametersProps: parameter ids are not unique: {ids}")


def leaf(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class Parameters(Construct):
    """`parameters`: {id: SsmParameter}, in the order given; `read_policy`: the IAM policy."""

    def __init__(self, scope: Construct, id: str, props: ParametersProps):
        super().__init__(scope, id)
        self.props = props
        self.parameters: dict[str, SsmParameter] = {}
        naming = props.naming
        for spec in props.common:
            self._parameter(spec, "common_config", f"PetClinic 공통 설정: {leaf(spec.name)}",
                            Type="common-configuration", Service="all")
        for spec in props.environment_specific:
            self._parameter(spec, "environment_config", f"PetClinic {naming.environment} 환경 설정: {leaf(spec.name)}",
                            Type="environment-configuration", Service=spec.name.split("/")[2])
        self.read_policy = props.origin.carry(IamPolicy(
            self, "read_policy",
            name=naming.name("parameter-store-read"),
            description="PetClinic Parameter Store 읽기 권한",
            policy=json.dumps({
                "Statement": [
                    {"Action": READ_ACTIONS, "Effect": "Allow",
                     "Resource": [f"arn:aws:ssm:{props.region}:*:parameter{props.read_prefix}/*"]},
                    {"Action": ["kms:Decrypt"], "Effect": "Allow",
                     "Resource": [f"arn:aws:kms:{props.region}:*:alias/aws/ssm"]},
                ],
                "Version": "2012-10-17",
            }, separators=(",", ":")),
            tags=naming.tags_for("parameter-store-policy", Type="iam-policy"),
        ), "parameter_store_read", 0)

    def _parameter(self, spec: ParameterSpec, group: str, description: str, **tags: str) -> None:
        if not re.fullmatch(r"[a-z0-9_]+", spec.id):
            raise ValueError(f"Parameters: id {spec.id!r} must be [a-z0-9_]+ (it becomes an address)")
        self.parameters[spec.id] = self.props.origin.carry(SsmParameter(
            self, spec.id,
            name=spec.name,
            type=SECURE_TYPE if spec.secure else PARAMETER_TYPE,
            value=spec.value,
            overwrite=self.props.overwrite,
            description=description,
            tags=self.props.naming.tags_for(Name=spec.name, **tags),
        ), group, spec.name)
