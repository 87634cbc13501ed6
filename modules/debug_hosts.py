"""The debug host: an Amazon Linux 2 bastion in a public subnet with SSH from the given CIDRs, a
MySQL path into Aurora, and an instance profile that reads the database secret and parameters and
registers with Systems Manager. Its user data installs the MySQL client and tests the connection.

Holds no key pair (it must exist in the account) and no private debug instance: the earlier
`db_debug` host of the original was folded into this one.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


from cdktf_cdktf_provider_aws.data_aws_ami import DataAwsAmi, DataAwsAmiFilter
from cdktf_cdktf_provider_aws.iam_instance_profile import IamInstanceProfile
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.instance import Instance
from cdktf_cdktf_provider_aws.security_group import SecurityGroup, SecurityGroupEgress, SecurityGroupIngress
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin

SSM_MANAGED_INSTANCE_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
USER_DATA_TEMPLATE = Path(__file__).parent / "debug_host_user_data.sh"


@dataclass(frozen=True)
class DebugHostProps:
    naming: Naming
    origin: Origin
    region: str
    vpc_id: str
    subnet_id: str                      # a public subnet
    aurora_security_group_id: str
    database_port: int
    rds_secret_access_policy_arn: str
    parameter_store_access_policy_arn: str
    instance_type: str
    key_pair: str
    ssh_cidrs: Sequence[str]
    ami_name_pattern: str
    # Where to find the database settings the user data's connection test reads.
    db_url_parameter: str
    db_username_parameter: str
    db_secret_parameter: str
    # part -> older addresses of the same object (an earlier layout of the original), for chained moves
    earlier: Mapping[str, Sequence[str]] = field(default_factory=dict)


class DebugHost(Construct):
    def __init__(self, scope: Construct, id: str, props: DebugHostProps):
        super().__init__(scope, id)
        naming, origin = props.naming, props.origin
        ami = DataAwsAmi(self, "amazon_linux_2", most_recent=True, owners=["amazon"], filter=[
            DataAwsAmiFilter(name="name", values=[props.ami_name_pattern]),
            DataAwsAmiFilter(name="virtualization-type", values=["hvm"])])
        self.security_group = origin.carry(SecurityGroup(
            self, "sg",
            name_prefix=f"{naming.name('bastion')}-",
            description="Managed by Terraform",  # as deployed (the provider's default); changing it replaces the group
            vpc_id=props.vpc_id,
            # Inline rules are attributes: every field is written, none left null (as the provider plans them).
            ingress=[SecurityGroupIngress(from_port=22, to_port=22, protocol="tcp", cidr_blocks=list(props.ssh_cidrs),
                                          description="SSH access to bastion host", ipv6_cidr_blocks=[],
                                          prefix_list_ids=[], security_groups=[], self_attribute=False)],
            egress=[SecurityGroupEgress(from_port=0, to_port=0, protocol="-1", cidr_blocks=["0.0.0.0/0"],
                                        description="All outbound traffic", ipv6_cidr_blocks=[], prefix_list_ids=[],
                                        security_groups=[], self_attribute=False)],
            tags=naming.tags_for("bastion-sg", Type="bastion-security-group"),
        ), "sg", 0, earlier=props.earlier.get("sg", ()))
        origin.carry(SecurityGroupRule(
            self, "aurora_access",
            type="ingress", from_port=props.database_port, to_port=props.database_port, protocol="tcp",
            security_group_id=props.aurora_security_group_id,
            source_security_group_id=self.security_group.id,
            description="Allow MySQL access from Bastion host",
        ), "aurora_access", 0, earlier=props.earlier.get("aurora_access", ()))
        self.role = origin.carry(IamRole(
            self, "role",
            name=naming.name("bastion-role"),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]}),
            tags=naming.tags_for("bastion-role", Type="iam-role"),
        ), "role", 0, earlier=props.earlier.get("role", ()))
        origin.carry(IamRolePolicy(
            self, "secrets_policy",
            name=naming.name("bastion-secrets-policy"),
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [f"arn:aws:secretsmanager:{props.region}:*:secret:rds!cluster-*"]}]}),
        ), "secrets_policy", 0, earlier=props.earlier.get("secrets_policy", ()))
        for part, policy_arn in (("ssm", SSM_MANAGED_INSTANCE_CORE), ("secrets", props.rds_secret_access_policy_arn),
                                 ("params", props.parameter_store_access_policy_arn)):
            origin.carry(IamRolePolicyAttachment(self, part, role=self.role.name, policy_arn=policy_arn), part, 0,
                         earlier=props.earlier.get(part, ()))
        profile = origin.carry(IamInstanceProfile(
            self, "profile",
            name=naming.name("bastion-profile"),
            role=self.role.name,
            tags=naming.tags_for("bastion-profile", Type="iam-instance-profile"),
        ), "profile", 0, earlier=props.earlier.get("profile", ()))
        self.instance = origin.carry(Instance(
            self, "Default",
            ami=ami.id,
            instance_type=props.instance_type,
            key_name=props.key_pair,
            subnet_id=props.subnet_id,
            vpc_security_group_ids=[self.security_group.id],
            associate_public_ip_address=True,
            iam_instance_profile=profile.name,
            user_data=self._user_data(props),
            tags=naming.tags_for("bastion", Type="bastion-host"),
        ), "instance", 0, earlier=props.earlier.get("instance", ()))

    @staticmethod
    def _user_data(props: DebugHostProps) -> str:
        script = USER_DATA_TEMPLATE.read_text().format(
            region=props.region, url_parameter=props.db_url_parameter,
            username_parameter=props.db_username_parameter, secret_parameter=props.db_secret_parameter)
        return base64.b64encode(script.encode()).decode()

    @property
    def public_ip(self) -> str:
        return self.instance.public_ip
