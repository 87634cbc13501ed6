"""02-security's settings."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, StrictStr, StringConstraints

from settings.base import Frozen

class Security(Frozen):
    alb_integration: StrictBool
    team_members: tuple[Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9_.+=,@-]+$")], ...]
    # The ECS execution role without AmazonSSMReadOnlyAccess, reading only the parameter tree the task
    # definitions reference (design switch, A84/A88); as deployed: the managed policy and a glob on the prefix.
    narrow_execution_role: StrictBool
    ecs_task_port: Annotated[StrictInt, Field(ge=1, le=65535)]
    database_port: Annotated[StrictInt, Field(ge=1, le=65535)]
    # A design switch (envs/_switches.toml): one network ACL per subnet tier (§8.3), its rules
    # derived from the subnets (modules/nacl_rules.py). Off (as deployed): the VPC's default ACL.
    network_acls: StrictBool
    # A design switch: the team's IAM users in a group with AdministratorAccess (as deployed). Off:
    # left out of the platform's stacks (§8.1 least privilege; people's access is the account's
    # business, through IAM Identity Center roles, not something each environment creates).
    team_admin_group: StrictBool
