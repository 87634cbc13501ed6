"""The team's IAM users for CLI access: one user per member, one group holding them all, and the
group's managed policy.

Each resource declares its place in the original `iam` module (`props.origin`).

Holds no roles and no access keys (members create their own keys; none is ever in Terraform).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.iam_group import IamGroup
from cdktf_cdktf_provider_aws.iam_group_membership import IamGroupMembership
from cdktf_cdktf_provider_aws.iam_group_policy_attachment import IamGroupPolicyAttachment
from cdktf_cdktf_provider_aws.iam_user import IamUser
from constructs import Construct

from modules.naming import Naming
from modules.origin import Origin


@dataclass(frozen=True)
class TeamAccessProps:
    naming: Naming
    origin: Origin
    members: Sequence[str]
    group_policy_arn: str

    def __post_init__(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"TeamAccessProps.members lists a member twice: {list(self.members)}")


class TeamAccess(Construct):
    def __init__(self, scope: Construct, id: str, props: TeamAccessProps):
        super().__init__(scope, id)
        origin, naming = props.origin, props.naming
        self.group = origin.carry(IamGroup(self, "Default", name=naming.name("cli-users")), "cli_users")
        origin.carry(IamGroupPolicyAttachment(self, "policy", group=self.group.name,
                                              policy_arn=props.group_policy_arn), "cli_admin")
        # Sorted as the provider returns them, so that the plan shows no reordering.
        self.users = {member: origin.carry(IamUser(self, member, name=naming.name(member)), "members", member)
                      for member in sorted(props.members)}
        origin.carry(IamGroupMembership(
            self, "membership",
            name=naming.name("cli-membership"),
            group=self.group.name,
            users=[user.name for user in self.users.values()],
        ), "cli_users")
