"""The team's IAM users for CLI access: one user per member, one group holding them all, and the
group's managed policy.

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


@dataclass(frozen=True)
class TeamAccessProps:
    name_prefix: str
    members: Sequence[str]
    group_policy_arn: str

    def __post_init__(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise ValueError(f"TeamAccessProps.members lists a member twice: {list(self.members)}")


class TeamAccess(Construct):
    def __init__(self, scope: Construct, id: str, props: TeamAccessProps):
        super().__init__(scope, id)
        self.group = IamGroup(self, "Default", name=f"{props.name_prefix}-cli-users")
        IamGroupPolicyAttachment(self, "policy", group=self.group.name, policy_arn=props.group_policy_arn)
        # Sorted as the provider returns them, so that the plan shows no reordering.
        self.users = {member: IamUser(self, member, name=f"{props.name_prefix}-{member}")
                      for member in sorted(props.members)}
        IamGroupMembership(
            self, "membership",
            name=f"{props.name_prefix}-cli-membership",
            group=self.group.name,
            users=[user.name for user in self.users.values()],
        )
